//! The served root on disk: components (checked by [`dashkit::origin::files`]) joined onto
//! the canonical root, and every file opened only after its canonical path (symlinks followed)
//! is [`confined`] in it. The rules are the library's; this is the file system.

use std::path::{Path, PathBuf};

use dashkit::origin::files::{check_components, confined, relative_components};

pub use dashkit::origin::files::PathError;

/// The served root, canonicalized once.
#[derive(Debug, Clone)]
pub struct Root {
    canonical: PathBuf,
}

impl Root {
    /// Canonicalizes `dir`.
    pub fn new(dir: &Path) -> std::io::Result<Root> {
        Ok(Root {
            canonical: dir.canonicalize()?,
        })
    }

    /// The canonical root directory.
    pub fn path(&self) -> &Path {
        &self.canonical
    }

    /// The canonical path of `comps` below the root, if it exists and stays inside.
    pub fn resolve<S: AsRef<str>>(&self, comps: &[S]) -> Result<PathBuf, PathError> {
        check_components(comps)?;
        let mut p = self.canonical.clone();
        for c in comps {
            p.push(c.as_ref());
        }
        let real = p.canonicalize().map_err(|_| PathError::NotFound)?;
        if confined(&self.canonical, &real) {
            Ok(real)
        } else {
            Err(PathError::NotFound)
        }
    }

    /// Resolves a URL found in an MPD, relative to the directory `base` (components below the
    /// root), by [`relative_components`].
    pub fn resolve_relative(&self, base: &[String], url: &str) -> Result<PathBuf, PathError> {
        self.resolve(&relative_components(base, url)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_stays_in_root() {
        let dir = std::env::temp_dir().join(format!("dashkit-root-{}", std::process::id()));
        let inside = dir.join("in");
        std::fs::create_dir_all(&inside).unwrap();
        std::fs::write(inside.join("f.txt"), b"x").unwrap();
        std::fs::write(dir.join("secret.txt"), b"s").unwrap();
        #[cfg(unix)]
        {
            let _ = std::os::unix::fs::symlink(dir.join("secret.txt"), inside.join("link"));
        }
        let root = Root::new(&inside).unwrap();
        assert!(root.resolve(&["f.txt"]).is_ok());
        assert_eq!(root.resolve(&[".."]), Err(PathError::Bad));
        assert_eq!(root.resolve(&["nope"]), Err(PathError::NotFound));
        #[cfg(unix)]
        assert_eq!(root.resolve(&["link"]), Err(PathError::NotFound));
        assert_eq!(
            root.resolve_relative(&[], "../secret.txt"),
            Err(PathError::Bad)
        );
        assert_eq!(
            root.resolve_relative(&[], "/etc/passwd"),
            Err(PathError::Bad)
        );
        assert_eq!(
            root.resolve_relative(&[], "file:///etc/passwd"),
            Err(PathError::Bad)
        );
        assert!(root.resolve_relative(&[], "./f.txt").is_ok());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
