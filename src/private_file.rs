//! Files readable by their owner only: the token and record signing keys, the SQLite database,
//! a committee member's share file. Each is written whole or not at all; `create` never
//! writes over an existing file, `replace` does so in one rename.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Why a key could not be had from its file or from configuration.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot create {}: {source}", path.display())]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file exists but does not hold a key of the expected form.
    #[error("{} {why}", path.display())]
    Invalid { path: PathBuf, why: String },
    /// The key given by configuration (an environment variable) is not of the expected form.
    #[error("{name} {why}")]
    Configured { name: &'static str, why: String },
}

/// Writes a new file readable by its owner only: the bytes go to a temporary file beside it,
/// which is then linked into place, so a racing reader never sees half a file. Fails with
/// `AlreadyExists` when the file exists, leaving it as it was.
pub fn create(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(format!(".{}.tmp", uuid::Uuid::new_v4().simple()));
    let temporary = PathBuf::from(temporary);
    let written = write_new(&temporary, bytes);
    let linked = written.and_then(|()| std::fs::hard_link(&temporary, path));
    let _ = std::fs::remove_file(&temporary);
    linked
}

/// Writes `bytes` to `path`, readable by its owner only, replacing what is there whole or not at
/// all: a temporary file beside it is renamed over it.
pub fn replace(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(format!(".{}.tmp", uuid::Uuid::new_v4().simple()));
    let temporary = PathBuf::from(temporary);
    let written = write_new(&temporary, bytes);
    let renamed = written.and_then(|()| std::fs::rename(&temporary, path));
    if renamed.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    renamed
}

fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    })
}

/// The bytes of `path`; when there is no such file, it is created (see [`create`]) with the
/// bytes `make` returns. When another process creates it at the same moment, its bytes win, so
/// replicas starting together agree. The flag says whether this call created the file.
pub fn load_or_create(
    path: &Path,
    make: impl FnOnce() -> Vec<u8>,
) -> Result<(Vec<u8>, bool), KeyFileError> {
    let read = |source| KeyFileError::Read {
        path: path.to_owned(),
        source,
    };
    match std::fs::read(path) {
        Ok(bytes) => return Ok((bytes, false)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(read(e)),
    }
    let bytes = make();
    match create(path, &bytes) {
        Ok(()) => Ok((bytes, true)),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            std::fs::read(path).map(|b| (b, false)).map_err(read)
        }
        Err(source) => Err(KeyFileError::Create {
            path: path.to_owned(),
            source,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_created_file_is_private_and_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        create(&path, b"first").unwrap();
        let again = create(&path, b"second").unwrap_err();
        assert_eq!(again.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary left"
        );
    }

    #[test]
    fn racing_creators_agree_on_the_first_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        let results: Vec<(Vec<u8>, bool)> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8u8)
                .map(|i| {
                    let path = &path;
                    s.spawn(move || load_or_create(path, || vec![i; 8]).unwrap())
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(results.windows(2).all(|w| w[0].0 == w[1].0));
        assert_eq!(results.iter().filter(|(_, created)| *created).count(), 1);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn an_unreadable_path_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let err = load_or_create(dir.path(), Vec::new).unwrap_err();
        assert!(matches!(err, KeyFileError::Read { .. }), "{err:?}");
        assert!(err.to_string().contains(&dir.path().display().to_string()));
    }
}
