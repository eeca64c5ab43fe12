"""The 整改 tests reuse the web tests' accounts and projects."""

from tests.web.conftest import client_of, fresh_project, main_project, small_project, user_of  # noqa: F401
