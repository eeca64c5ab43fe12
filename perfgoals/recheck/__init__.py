"""抽查复核: finance re-checks a sample of the year's self-evaluations (issue 14)."""
