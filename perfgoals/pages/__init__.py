"""Presenters: they arrange the data a view has loaded into what a template shows (rows with their
rowspans, forms, readings and flags; the history's entries) and run no query. Loading is the views'
(``perfgoals.views.loading``)."""
