"""佐证材料 (evidence): files attached to an indicator's actual value or to a project-year (issue 14)."""
