"""The 整改 tests reuse the web tests' accounts and projects, and the evidence tests' files and storage."""

from tests.evidence.conftest import local_media, s3_endpoint, s3_storage  # noqa: F401
from tests.web.conftest import client_of, fresh_project, main_project, small_project, user_of  # noqa: F401
