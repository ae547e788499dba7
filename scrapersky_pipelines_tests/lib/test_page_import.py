"""Sitemap URL -> page row: canonical URL, category, filtering with a reason, scrape queueing."""

from scrapersky_pipelines.lib.page_import import PagePolicy, import_page


def test_contact_pages_are_queued_and_others_are_not():
    contact = import_page("HTTP://Acme.com/de/kontakt.php", "acme.com")
    assert contact.url == "http://acme.com/de/kontakt.php"
    assert contact.category == "contact" and contact.queue_scrape and not contact.filtered
    blog = import_page("https://www.acme.com/blog/how-to-floss/", "acme.com")
    assert blog.category == "blog" and not blog.queue_scrape and not blog.filtered


def test_policy_off_queues_nothing():
    assert not import_page("https://acme.com/contact", "acme.com", PagePolicy(queue_contact_pages=False)).queue_scrape
    assert not import_page("https://acme.com/contact", "acme.com", PagePolicy(min_confidence=1.01)).queue_scrape


def test_assets_feeds_and_off_site_urls_are_filtered_with_a_reason():
    image = import_page("https://acme.com/wp-content/uploads/logo.png", "acme.com")
    assert image.filtered and image.filter_reason and not image.queue_scrape
    feed = import_page("https://acme.com/feed/", "acme.com")
    assert feed.filtered
    other = import_page("https://elsewhere.org/contact", "acme.com")
    assert other.filtered and "off-site" in other.filter_reason and not other.queue_scrape
    assert not import_page("https://shop.acme.com/contact", "acme.com").filtered  # subdomains are the site


def test_non_web_and_oversized_urls():
    assert import_page("mailto:info@acme.com", "acme.com") is None
    assert import_page("javascript:void(0)", "acme.com") is None
    long = import_page("https://acme.com/" + "a" * 5000, "acme.com")
    assert long.filtered and len(long.url) == 2048
