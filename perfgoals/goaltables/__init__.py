"""The goal tables (绩效目标表) as each region publishes them (#15): layouts as data, one Excel and one
print renderer."""
