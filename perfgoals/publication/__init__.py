"""公开 (issue 15): a department-year's goal tables (预算公开) and self-evaluation results (决算公开),
published as a frozen record and shown on public pages without login."""
