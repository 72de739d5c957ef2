//! One module per subcommand: flags, one library call, formatting.

pub mod analyze;
pub mod decrypt;
pub mod dump;
pub mod encrypt;
pub mod fragment;
pub mod hls;
pub mod info;
pub mod live_shift;
pub mod mpd;
pub mod segments;
pub mod serve;
pub mod validate;
