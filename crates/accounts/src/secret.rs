//! The JWT signing secret: from `TECHX_JWT_SECRET`, or generated once and kept in the data
//! directory (mode 0600) so that tokens survive a restart.

use rand::RngCore;
use std::io::Write;
use std::path::{Path, PathBuf};

pub const SECRET_FILE: &str = "jwt_secret";
const MIN_SECRET_BYTES: usize = 32;

/// Where the secret came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    Environment,
    /// Read from an existing file in the data directory.
    File(PathBuf),
    /// Generated now and written to the data directory.
    Generated(PathBuf),
}

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("TECHX_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes")]
    TooShort,
    #[error("cannot read or write the jwt secret at {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The configured secret, or the one kept in `data_dir`, created when missing.
pub fn load_or_create(
    configured: Option<&str>,
    data_dir: &Path,
) -> Result<(Vec<u8>, SecretSource), SecretError> {
    if let Some(secret) = configured.filter(|s| !s.is_empty()) {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(SecretError::TooShort);
        }
        return Ok((secret.as_bytes().to_vec(), SecretSource::Environment));
    }
    let path = data_dir.join(SECRET_FILE);
    let io_error = |source| SecretError::Io {
        path: path.clone(),
        source,
    };
    match std::fs::read_to_string(&path) {
        Ok(existing) if existing.trim().len() >= MIN_SECRET_BYTES => {
            return Ok((
                existing.trim().as_bytes().to_vec(),
                SecretSource::File(path),
            ));
        }
        Ok(_) => return Err(SecretError::TooShort),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => return Err(io_error(error)),
    }
    std::fs::create_dir_all(data_dir).map_err(io_error)?;
    let mut bytes = [0u8; 48];
    rand::rng().fill_bytes(&mut bytes);
    let secret = hex::encode(bytes);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&path).map_err(io_error)?;
    file.write_all(secret.as_bytes()).map_err(io_error)?;
    file.sync_all().map_err(io_error)?;
    Ok((secret.into_bytes(), SecretSource::Generated(path)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_secret_is_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let (first, source) = load_or_create(None, dir.path()).unwrap();
        assert!(matches!(source, SecretSource::Generated(_)));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(SECRET_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let (second, source) = load_or_create(None, dir.path()).unwrap();
        assert!(matches!(source, SecretSource::File(_)));
        assert_eq!(first, second);
    }

    #[test]
    fn the_environment_wins_and_must_be_long_enough() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            load_or_create(Some("short"), dir.path()),
            Err(SecretError::TooShort)
        ));
        let long = "x".repeat(40);
        let (secret, source) = load_or_create(Some(&long), dir.path()).unwrap();
        assert_eq!(secret, long.as_bytes());
        assert_eq!(source, SecretSource::Environment);
        assert!(!dir.path().join(SECRET_FILE).exists());
    }
}
