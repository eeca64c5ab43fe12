"""整改: problems found in 审核, 复核 or 监控 tracked until the unit has fixed them and finance (or the
reviewing department) has confirmed it."""
