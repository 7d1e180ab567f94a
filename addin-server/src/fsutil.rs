//! Small file-system helpers for secrets the server writes itself.

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to a new file readable and writable by the owner only (mode 0600 on Unix),
/// replacing any file there. The mode is set at creation, so the secret is never readable by
/// others, not even briefly.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Creates a directory (and its parents) that only the owner may enter (mode 0700 on Unix).
/// An existing directory is left as it is.
pub(crate) fn create_private_dir(path: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(path)
}
