"""Pages of 抽查复核 (filled in by the next step)."""

from django.http import Http404


def sample_list(request):
    raise Http404


sample_detail = item_detail = sample_list
