pub mod cli;
pub mod encoder;
pub mod server;
