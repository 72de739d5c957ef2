pub mod edge;
pub mod encoder;
pub mod server;
