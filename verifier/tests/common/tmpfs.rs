//! A small tmpfs mounted as a service's data directory, to run it on a full disk or a
//! read-only file system for real (root ignores permission bits, so `chmod` would not do).
//! Needs root, as CI runs; elsewhere the tests that use it say so and stop early.
#![allow(dead_code)]
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Tmpfs {
    pub dir: PathBuf,
}

fn mount(args: &[&str], dir: &Path) -> Result<(), String> {
    let out = Command::new("mount")
        .args(args)
        .arg(dir)
        .output()
        .map_err(|e| format!("mount: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "mount {args:?}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

impl Tmpfs {
    /// Mounts a tmpfs of `kib` KiB at `dir`, or says why not (not root, no mount allowed).
    pub fn mount(dir: &Path, kib: u64) -> Result<Tmpfs, String> {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        mount(
            &[
                "-t",
                "tmpfs",
                "-o",
                &format!("size={kib}k,mode=0755"),
                "tmpfs",
            ],
            dir,
        )?;
        Ok(Tmpfs {
            dir: dir.to_owned(),
        })
    }

    /// Whether this machine lets the tests mount (root and mount allowed); `None` with the
    /// reason otherwise.
    pub fn available(scratch: &Path) -> Result<(), String> {
        Tmpfs::mount(&scratch.join("probe"), 64).map(drop)
    }

    /// Remounts read-only (only when no process has a file open for writing: Linux refuses
    /// to remount a file system with writers, so this is for a service that is stopped).
    pub fn remount_ro(&self) -> Result<(), String> {
        mount(&["-o", "remount,ro"], &self.dir)
    }

    pub fn remount_rw(&self) -> Result<(), String> {
        mount(&["-o", "remount,rw"], &self.dir)
    }

    /// Fills the file system to the last byte with `filler`; returns how many bytes it
    /// took.
    pub fn fill(&self) -> Result<u64, String> {
        let mut file = std::fs::File::create(self.dir.join("filler")).map_err(|e| e.to_string())?;
        let block = vec![0xa5u8; 4096];
        let mut written = 0u64;
        loop {
            match file.write(&block) {
                Ok(0) => break,
                Ok(n) => written += n as u64,
                Err(e) if e.raw_os_error() == Some(28) => break,
                Err(e) => return Err(e.to_string()),
            }
        }
        // Whatever is left below a page is filled byte by byte.
        while let Ok(1) = file.write(&block[..1]) {
            written += 1;
        }
        Ok(written)
    }

    /// Space returns: the filler goes.
    pub fn unfill(&self) -> Result<(), String> {
        std::fs::remove_file(self.dir.join("filler")).map_err(|e| e.to_string())
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        // Lazy: a service that is still being killed may hold it a moment longer.
        let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
    }
}
