//! Files only their owner may read: directories 0700, files 0600, written as a new file
//! that atomically replaces the old one, and a repair of wider modes found on disk. On
//! platforms without Unix modes the calls do what they can (atomic replacement) and the
//! platform's own access control applies.
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Mode of the wallet's directories.
pub const DIR_MODE: u32 = 0o700;
/// Mode of the wallet's files.
pub const FILE_MODE: u32 = 0o600;

/// Creates `dir` (and missing parents) readable by its owner only.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, DIR_MODE);
    builder.create(dir)
}

/// Writes `bytes` to `path` so that, at every moment, `path` is either the old file or the
/// complete new one, and the new one is readable by its owner only — whatever mode an
/// existing file had, because a fresh file replaces it rather than being overwritten.
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?;
    let tmp = temp_path(dir, name)?;
    let result = write_new(&tmp, bytes).and_then(|()| fs::rename(&tmp, path));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result?;
    sync_dir(dir)
}

/// A fresh name next to the target: random, so a left-over from a crash is never reused.
fn temp_path(dir: &Path, name: &std::ffi::OsStr) -> io::Result<PathBuf> {
    let mut random = [0u8; 8];
    crate::crypto::fill_random(&mut random)
        .map_err(|_| io::Error::other("the system's random number generator failed"))?;
    let mut tmp = name.to_os_string();
    tmp.push(format!(".{}{}", hex(&random), TEMP_SUFFIX));
    Ok(dir.join(tmp))
}

/// How temporary files end, so left-overs can be recognised and removed.
pub const TEMP_SUFFIX: &str = ".tmp";

fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, FILE_MODE);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Makes a rename or removal in `dir` durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Makes the names in `dir` and in every directory below it durable: a new store's files
/// must be found after a power cut once the vault file names the store.
pub fn sync_tree(dir: &Path) -> io::Result<()> {
    sync_dir(dir)?;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            sync_tree(&entry.path())?;
        }
    }
    Ok(())
}

/// Tightens `path` (a file or directory; directories recursively) to owner-only modes and
/// returns the paths that were wider.
pub fn repair_modes(path: &Path) -> io::Result<Vec<PathBuf>> {
    let mut repaired = Vec::new();
    repair_into(path, &mut repaired)?;
    Ok(repaired)
}

fn repair_into(path: &Path, repaired: &mut Vec<PathBuf>) -> io::Result<()> {
    if repair_mode(path)? {
        repaired.push(path.to_path_buf());
    }
    if fs::symlink_metadata(path)?.is_dir() {
        for entry in fs::read_dir(path)? {
            repair_into(&entry?.path(), repaired)?;
        }
    }
    Ok(())
}

/// Tightens the mode of `path` alone; `true` when it was wider.
#[cfg(unix)]
pub fn repair_mode(path: &Path) -> io::Result<bool> {
    use std::os::unix::fs::PermissionsExt;
    // Symbolic links are not followed: the wallet creates none, and following one could
    // change the mode of a file elsewhere.
    let meta = fs::symlink_metadata(path)?;
    if meta.file_type().is_symlink() {
        return Ok(false);
    }
    let wanted = if meta.is_dir() { DIR_MODE } else { FILE_MODE };
    let mode = meta.permissions().mode() & 0o777;
    if mode & !wanted == 0 {
        return Ok(false);
    }
    fs::set_permissions(path, fs::Permissions::from_mode(mode & wanted))?;
    Ok(true)
}

#[cfg(not(unix))]
pub fn repair_mode(_path: &Path) -> io::Result<bool> {
    Ok(false)
}

/// Lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    fn scratch(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("regie-files-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn a_replaced_file_is_owner_only_whatever_it_was() {
        let dir = scratch("replace");
        create_private_dir(&dir).unwrap();
        assert_eq!(mode(&dir), DIR_MODE);
        let path = dir.join("export.json");
        fs::write(&path, b"old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        write_private(&path, b"new").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        assert_eq!(mode(&path), FILE_MODE);
        let names: Vec<_> = fs::read_dir(&dir).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file left");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn wider_modes_are_repaired_and_reported() {
        let dir = scratch("repair");
        fs::create_dir_all(dir.join("sub")).unwrap();
        fs::write(dir.join("sub/f"), b"x").unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
        fs::set_permissions(dir.join("sub/f"), fs::Permissions::from_mode(0o644)).unwrap();
        fs::set_permissions(dir.join("sub"), fs::Permissions::from_mode(0o700)).unwrap();
        let repaired = repair_modes(&dir).unwrap();
        assert_eq!(repaired, vec![dir.clone(), dir.join("sub/f")]);
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("sub/f")), 0o600);
        assert!(repair_modes(&dir).unwrap().is_empty());
        let _ = fs::remove_dir_all(&dir);
    }
}
