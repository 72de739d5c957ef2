pub mod cli;
pub mod edge;
pub mod encoder;
pub mod server;
