"""URLs of entry and review (namespace "perfgoals")."""

from django.urls import path

from . import views

app_name = "perfgoals"

urlpatterns = [
    path("projects/<int:pk>/", views.project_page, name="project"),
    path("projects/<int:pk>/indicators/<int:indicator_pk>/", views.save_indicator, name="save_indicator"),
    path("projects/<int:pk>/sheet/", views.save_sheet, name="save_sheet"),
    path("projects/<int:pk>/budget/", views.save_budget, name="save_budget"),
    path("projects/<int:pk>/explanations/", views.save_explanations, name="save_explanations"),
    path("projects/<int:pk>/submit/", views.submit, name="submit"),
    path("projects/<int:pk>/directions/", views.confirm_directions, name="confirm_directions"),
    path(
        "projects/<int:pk>/indicators/<int:indicator_pk>/direction/",
        views.confirm_direction,
        name="confirm_direction",
    ),
    path(
        "review/<int:pk>/indicators/<int:indicator_pk>/direction/",
        views.correct_direction,
        name="correct_direction",
    ),
    path("projects/<int:pk>/targets/add/", views.add_target, name="add_target"),
    path("projects/<int:pk>/targets/weights/", views.save_weights, name="save_level1_weights"),
    path("projects/<int:pk>/targets/info/", views.save_project_info, name="save_project_info"),
    path("projects/<int:pk>/targets/submit/", views.submit_targets, name="submit_targets"),
    path("projects/<int:pk>/targets/<int:indicator_pk>/", views.update_target, name="update_target"),
    path("projects/<int:pk>/targets/<int:indicator_pk>/delete/", views.delete_target, name="delete_target"),
    path("projects/<int:pk>/targets/<int:indicator_pk>/move/", views.move_target, name="move_target"),
    path("review/", views.ReviewQueueView.as_view(), name="review_queue"),
    path("review/approve-many/", views.approve_many, name="approve_many"),
    path("review/finance/", views.FinanceQueueView.as_view(), name="finance_queue"),
    path("review/<int:pk>/finance/<str:step>/", views.finance_action, name="finance_review"),
    path("review/<int:pk>/", views.review_page, name="review"),
    path("review/<int:pk>/approve/", views.review_action, {"action": "approve"}, name="approve"),
    path("review/<int:pk>/return/", views.review_action, {"action": "return"}, name="return"),
    path("review/<int:pk>/reopen/", views.review_action, {"action": "reopen"}, name="reopen"),
    path(
        "review/<int:pk>/targets/grade/",
        views.target_review_action,
        {"action": "grade"},
        name="grade_targets",
    ),
]
