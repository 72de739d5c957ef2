//! One module per subcommand: flags, one library call, formatting.

pub mod dump;
pub mod info;
pub mod live_shift;
pub mod mpd;
pub mod segments;
