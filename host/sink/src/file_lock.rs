//! Exclusive locks on the files one run owns (a file sink, a checkpoint), so a second run on the
//! same file is refused instead of interleaving its lines with the first's. The locks are the
//! operating system's (`flock`): they go with the process, so a killed run leaves none behind.

use std::fs::{File, TryLockError};
use std::path::Path;

/// Why a file could not be locked.
pub enum Refused {
    /// Another process holds it; its pid when the system says (Linux's `/proc/locks`).
    Held(Option<u32>),
    Failed(std::io::Error),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::Held(Some(pid)) => write!(f, "is in use by another omrun run (pid {pid})"),
            Refused::Held(None) => f.write_str("is in use by another omrun run"),
            Refused::Failed(e) => write!(f, "cannot be locked: {e}"),
        }
    }
}

/// Locks `file` for this process, or says who holds it.
pub fn lock(file: &File) -> Result<(), Refused> {
    match file.try_lock() {
        Ok(()) => Ok(()),
        Err(TryLockError::WouldBlock) => Err(Refused::Held(holder(file))),
        Err(TryLockError::Error(e)) => Err(Refused::Failed(e)),
    }
}

/// The pid holding a lock on `file`, from `/proc/locks` (`1: FLOCK ADVISORY WRITE <pid>
/// <major>:<minor>:<inode> 0 EOF`); `None` elsewhere or when it cannot tell.
fn holder(file: &File) -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    let inode = file.metadata().ok()?.ino();
    let locks = std::fs::read_to_string(Path::new("/proc/locks")).ok()?;
    locks.lines().find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (pid, id) = (fields.get(4)?, fields.get(5)?);
        let on_inode = id.rsplit(':').next()?.parse::<u64>().ok()? == inode;
        on_inode.then(|| pid.parse().ok()).flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_naming_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let first = File::create(&path).unwrap();
        lock(&first).ok().expect("the first lock");
        // Another open file description of the same file: flock treats it as another holder.
        let second = File::options().write(true).open(&path).unwrap();
        let refused = lock(&second).expect_err("refused");
        assert_eq!(
            refused.to_string(),
            format!(
                "is in use by another omrun run (pid {})",
                std::process::id()
            )
        );
        drop(first);
        assert!(lock(&second).is_ok(), "free once the holder is gone");
    }
}
