"""The overview of a year for supervisors and finance (issue 13): progress by status, results, and where
self-evaluations look inflated (``signals``: each signal in one sentence, combined into one risk score
per evaluation), for a user's scope and a year, drilled down region → department → unit → project.

``figures`` computes every figure with a constant number of aggregate queries over the scoped projects;
``views`` shows them (ECharts charts, each with its table); the ``overview`` management command prints the
same figures as JSON for scheduled reports.
"""
