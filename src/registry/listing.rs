//! Paged listings of the registries' own APIs (Docker Hub, Harbor): one page at a time with a
//! cursor for the next, or every page at once with what was loaded kept when a later page
//! fails.

use reqwest::Url;

use super::error::RegistryError;
use super::refused::RefusedName;

/// Pages followed at most by [`Listing`] collection, so a `next` link that loops or never
/// ends cannot keep wharf busy (100 items a page: 20,000 items).
pub const MAX_LISTING_PAGES: usize = 200;

/// One page of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// What the page held that wharf could read.
    pub items: Vec<T>,
    /// Repository names on the page the reference grammar refuses (shown marked).
    pub refused: Vec<RefusedName>,
    /// Entries that were not what the API describes (wrong types, no name) and were left out.
    pub skipped: usize,
    /// How many items the whole listing has, if the API says.
    pub total: Option<u64>,
    /// Where the next page is.
    pub next: Option<PageCursor>,
    /// Where this page came from, so a `next` link back to it is seen as a loop.
    pub(crate) source: Option<Url>,
}

impl<T> Page<T> {
    /// An empty page that ends the listing.
    pub fn empty() -> Page<T> {
        Page {
            items: Vec::new(),
            refused: Vec::new(),
            skipped: 0,
            total: None,
            next: None,
            source: None,
        }
    }

    /// A page read from `source`: each entry an item, a repository name the grammar refuses
    /// (`Some(Err)`, shown marked), or not what the API describes (`None`, counted skipped).
    pub(crate) fn read<E>(
        source: &Url,
        entries: &[E],
        read: impl Fn(&E) -> Option<Result<T, RefusedName>>,
    ) -> Page<T> {
        let mut page = Page::empty();
        page.source = Some(source.clone());
        for entry in entries {
            match read(entry) {
                Some(Ok(item)) => page.items.push(item),
                Some(Err(refused)) => page.refused.push(refused),
                None => page.skipped += 1,
            }
        }
        page
    }
}

/// Which API a cursor belongs to, so a cursor is never replayed against another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CursorApi {
    Hub,
    Harbor,
}

/// An opaque position in a listing: give it back to the call that returned it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageCursor {
    pub(crate) api: CursorApi,
    /// The registry (or API host) the listing is on.
    pub(crate) registry: String,
    pub(crate) url: Url,
    /// Pages fetched before this one (for the bound on collecting all pages).
    pub(crate) pages_before: usize,
}

/// Every page of a listing, or as many as could be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing<T> {
    /// The items of every page loaded, in the API's order.
    pub items: Vec<T>,
    /// Refused repository names of every page loaded.
    pub refused: Vec<RefusedName>,
    /// Unreadable entries left out.
    pub skipped: usize,
    /// The total the API announced, if any.
    pub total: Option<u64>,
    /// Why the listing stopped.
    pub end: ListingEnd,
}

/// Why a [`Listing`] stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListingEnd {
    /// The last page was loaded.
    Complete,
    /// wharf stopped following pages: too many, or a link back to a page already loaded.
    Truncated,
    /// A page failed; the items of the pages before it are kept.
    Failed(RegistryError),
}

impl<T> Listing<T> {
    fn new() -> Listing<T> {
        Listing {
            items: Vec::new(),
            refused: Vec::new(),
            skipped: 0,
            total: None,
            end: ListingEnd::Complete,
        }
    }

    /// The error that stopped the listing, if one did.
    pub fn error(&self) -> Option<&RegistryError> {
        match &self.end {
            ListingEnd::Failed(e) => Some(e),
            _ => None,
        }
    }

    /// True if every page was loaded.
    pub fn is_complete(&self) -> bool {
        self.end == ListingEnd::Complete
    }
}

/// True if two URLs ask for the same page: same origin and path, the same query pairs in
/// any order (servers rebuild their links and need not keep the order they were sent).
pub(crate) fn same_page(a: &Url, b: &Url) -> bool {
    let pairs = |url: &Url| {
        let mut pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        pairs.sort();
        pairs
    };
    a.origin() == b.origin() && a.path() == b.path() && pairs(a) == pairs(b)
}

/// Follows pages from the first until the last, a loop, the page bound or an error.
pub(crate) async fn collect_pages<T, F, Fut>(mut fetch: F) -> Listing<T>
where
    F: FnMut(Option<PageCursor>) -> Fut,
    Fut: std::future::Future<Output = Result<Page<T>, RegistryError>>,
{
    let mut listing = Listing::new();
    let mut visited: Vec<Url> = Vec::new();
    let mut cursor = None;
    for _ in 0..MAX_LISTING_PAGES {
        let page = match fetch(cursor.take()).await {
            Ok(page) => page,
            Err(e) => {
                listing.end = ListingEnd::Failed(e);
                return listing;
            }
        };
        listing.items.extend(page.items);
        listing.refused.extend(page.refused);
        listing.skipped += page.skipped;
        listing.total = listing.total.or(page.total);
        let seen = |url: &Url, visited: &[Url]| visited.iter().any(|v| same_page(v, url));
        if let Some(source) = page.source
            && !seen(&source, &visited)
        {
            visited.push(source);
        }
        match page.next {
            None => return listing,
            Some(next) if seen(&next.url, &visited) => {
                listing.end = ListingEnd::Truncated;
                return listing;
            }
            Some(next) => {
                visited.push(next.url.clone());
                cursor = Some(next);
            }
        }
    }
    listing.end = ListingEnd::Truncated;
    listing
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cursor(n: usize) -> PageCursor {
        PageCursor {
            api: CursorApi::Hub,
            registry: "hub".into(),
            url: Url::parse(&format!("http://127.0.0.1/list?page={n}")).unwrap(),
            pages_before: n - 1,
        }
    }

    fn page(items: Vec<u32>, next: Option<usize>) -> Page<u32> {
        Page {
            items,
            refused: Vec::new(),
            skipped: 1,
            total: Some(5),
            next: next.map(cursor),
            source: None,
        }
    }

    #[test]
    fn pages_are_the_same_whatever_the_query_order() {
        let url = |s: &str| Url::parse(s).unwrap();
        assert!(same_page(
            &url("http://h/a?page=1&page_size=10"),
            &url("http://h/a?page_size=10&page=1")
        ));
        assert!(!same_page(
            &url("http://h/a?page=1"),
            &url("http://h/a?page=2")
        ));
        assert!(!same_page(
            &url("http://h/a?page=1"),
            &url("https://h/a?page=1")
        ));
    }

    #[tokio::test]
    async fn pages_are_followed_to_the_end() {
        let listing = collect_pages(|c: Option<PageCursor>| async move {
            Ok(match c.map(|c| c.pages_before + 1) {
                None => page(vec![1, 2], Some(2)),
                Some(2) => page(vec![3, 4], Some(3)),
                _ => page(vec![5], None),
            })
        })
        .await;
        assert_eq!(listing.items, [1, 2, 3, 4, 5]);
        assert_eq!(listing.skipped, 3);
        assert_eq!(listing.total, Some(5));
        assert!(listing.is_complete());
    }

    #[tokio::test]
    async fn a_loop_stops_and_a_failure_keeps_what_was_loaded() {
        let looping = collect_pages(|c: Option<PageCursor>| async move {
            Ok(match c {
                None => page(vec![1], Some(2)),
                Some(_) => page(vec![2], Some(2)),
            })
        })
        .await;
        assert_eq!(looping.items, [1, 2]);
        assert_eq!(looping.end, ListingEnd::Truncated);

        // A link back to the first page (known by its source) is a loop too.
        let back_to_first = collect_pages(|c: Option<PageCursor>| async move {
            let mut p = match c {
                None => page(vec![1], Some(2)),
                Some(_) => page(vec![2], Some(1)),
            };
            if p.items == [1] {
                p.source = Some(cursor(1).url);
            }
            Ok(p)
        })
        .await;
        assert_eq!(back_to_first.items, [1, 2]);
        assert_eq!(back_to_first.end, ListingEnd::Truncated);

        let failing = collect_pages(|c: Option<PageCursor>| async move {
            match c {
                None => Ok(page(vec![1], Some(2))),
                Some(_) => Err(RegistryError::Timeout { host: "hub".into() }),
            }
        })
        .await;
        assert_eq!(failing.items, [1]);
        assert!(matches!(
            failing.error(),
            Some(RegistryError::Timeout { .. })
        ));
    }

    #[tokio::test]
    async fn an_endless_listing_is_bounded() {
        let mut served = 0usize;
        let endless = collect_pages(|_| {
            served += 1;
            let n = served;
            async move { Ok(page(vec![n as u32], Some(n + 1))) }
        })
        .await;
        assert_eq!(endless.items.len(), MAX_LISTING_PAGES);
        assert_eq!(endless.end, ListingEnd::Truncated);
    }
}
