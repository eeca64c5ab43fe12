from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "projects"
    verbose_name = "项目与组织"

    def ready(self) -> None:
        # Rendering a list page spent half its time in inspect.signature: django-tables2 asks it, for
        # every cell, which arguments a column's render method takes. The answer never changes for a
        # function, so django-tables2's lookup is replaced, once for the process, by a cached one
        # (projects.tables). Done here rather than as a side effect of importing a module, so that it
        # holds whichever table is imported first; repeating it changes nothing.
        from .tables import cache_render_signatures

        cache_render_signatures()
