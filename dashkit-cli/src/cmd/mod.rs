//! One module per subcommand: flags, one library call, formatting.

pub mod mpd;
pub mod segments;
