"""Review platforms ReviewDesk talks to: Google Business Profile (list reviews, post a reply) and JSON feeds.

`http` is the one small HTTP client (standard library, bearer token, settings.PLATFORM_HTTP_TIMEOUT);
`sources.reviews_fetch` fetches a JSON feed's reviews for `responses.intake`, `google.google_review_pages` a
Google location's, a page at a time;
`google.GoogleBusinessPublisher` is the publisher `responses.publishers.publisher_for` returns.
"""
