//! `dashkit dump`: the box tree of an ISO-BMFF file with offsets, sizes and decoded fields.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use dashkit::bmff::dump::{dump, render_text, BoxNode, Value};

use crate::error::{read_file, CliError};

/// Arguments of `dashkit dump`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The MP4 file (init segment, media segment, fragmented or progressive file).
    pub file: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs `dashkit dump`.
pub fn run(args: Args, out: &mut dyn Write) -> Result<ExitCode, CliError> {
    let data = read_file(&args.file)?;
    let tree = dump(&data).map_err(|e| CliError::input(&args.file, e))?;
    if args.json {
        let v = serde_json::Value::Array(tree.iter().map(node_json).collect());
        serde_json::to_writer_pretty(&mut *out, &v).map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        out.write_all(render_text(&tree).as_bytes())?;
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn value_json(v: &Value) -> serde_json::Value {
    match v {
        Value::U(n) => serde_json::Value::from(*n),
        Value::I(n) => serde_json::Value::from(*n),
        Value::S(s) => serde_json::Value::from(s.as_str()),
        _ => serde_json::Value::Null,
    }
}

fn node_json(n: &BoxNode) -> serde_json::Value {
    let mut fields = serde_json::Map::new();
    for (k, v) in &n.fields {
        let v = value_json(v);
        match fields.get_mut(*k) {
            Some(serde_json::Value::Array(a)) if matches!(*k, "reference" | "entry") => a.push(v),
            Some(old) => {
                let prev = old.take();
                *old = serde_json::Value::Array(vec![prev, v]);
            }
            None if matches!(*k, "reference" | "entry") => {
                fields.insert((*k).to_string(), serde_json::Value::Array(vec![v]));
            }
            None => {
                fields.insert((*k).to_string(), v);
            }
        }
    }
    serde_json::json!({
        "type": n.kind,
        "path": n.path,
        "offset": n.offset,
        "size": n.size,
        "header_size": n.header_len,
        "fields": fields,
        "children": n.children.iter().map(node_json).collect::<Vec<_>>(),
    })
}
