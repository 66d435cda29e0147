//! The one integration-test binary. Modules:
//! - `reference`: every `stats` function against R-produced reference tables.

mod reference;
