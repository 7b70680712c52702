"""Keep Presidio off the network: tldextract must use its bundled public-suffix snapshot."""
from __future__ import annotations

import threading

_lock = threading.Lock()
_done = False


def use_bundled_suffix_list() -> None:
    """Replace tldextract's module-level extractor (used by Presidio's EmailRecognizer) with an offline one.

    The default extractor fetches publicsuffix.org on first use and caches it under ~/.cache;
    with no URLs and no cache it reads the snapshot shipped inside the package.
    """
    global _done
    with _lock:
        if _done:
            return
        import tldextract.tldextract as tld

        tld.TLD_EXTRACTOR = tld.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)
        _done = True
