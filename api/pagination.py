from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """?page=N (from 1) and ?page_size= up to 200; 50 by default."""

    page_size_query_param = "page_size"
    max_page_size = 200
