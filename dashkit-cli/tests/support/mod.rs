pub mod encoder;
pub mod server;
