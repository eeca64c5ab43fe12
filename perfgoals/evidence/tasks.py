"""Tasks of 佐证材料: none yet. An upload is checked and stored in the request (at most
``EVIDENCE_MAX_BYTES``); nothing is queued. (Kept for the shape every stage shares.)"""
