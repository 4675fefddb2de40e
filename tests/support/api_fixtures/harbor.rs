//! Harbor's API v2.0 as its `swagger.yaml` describes it (filled in with the Harbor tests).

use super::super::api_server::{Answer, Call};

/// A Harbor's projects, repositories and artifacts.
#[derive(Default)]
pub struct HarborFixture {}

impl HarborFixture {
    pub fn answer(&self, _call: &Call, _link_loops: bool) -> Answer {
        Answer::text(404, "text/plain", "404 page not found")
    }
}
