//! SIGINT/SIGTERM during a run: the runner stops starting steps, stops the running ones (each
//! runs in its own process group, so its children go too), records the run as interrupted and
//! returns; a rerun resumes from the cache.

use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};

/// The signal received during the current run, 0 when none.
static RECEIVED: AtomicI32 = AtomicI32::new(0);

/// The signal that interrupted the run, if any.
pub(crate) fn received() -> Option<i32> {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => None,
        n => Some(n),
    }
}

/// The name of a signal number, for messages.
pub(crate) fn name(signal: i32) -> String {
    match signal {
        libc::SIGINT => "SIGINT".into(),
        libc::SIGTERM => "SIGTERM".into(),
        n => format!("signal {n}"),
    }
}

extern "C" fn on_signal(signal: libc::c_int) {
    // Only an atomic store: async-signal-safe.
    RECEIVED.store(signal, Ordering::SeqCst);
}

/// The handlers in force while a run is under way; dropping it restores the previous ones.
pub(crate) struct Guard {
    previous: Vec<(libc::c_int, libc::sigaction)>,
}

/// Catches SIGINT and SIGTERM until the guard is dropped.
pub(crate) fn install() -> Guard {
    RECEIVED.store(0, Ordering::SeqCst);
    let mut previous = Vec::new();
    for signal in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: sigaction with a handler that only stores to an atomic; the struct is
        // zero-initialised as POSIX allows, and the old action is saved to be restored.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(signal, &action, &mut old) == 0 {
                previous.push((signal, old));
            }
        }
    }
    Guard { previous }
}

impl Drop for Guard {
    fn drop(&mut self) {
        for (signal, old) in &self.previous {
            // SAFETY: restores the action saved by `install`.
            unsafe {
                libc::sigaction(*signal, old, std::ptr::null_mut());
            }
        }
    }
}

/// Stops a step's process group: SIGTERM, then SIGKILL after `grace`. `wait` polls the
/// leader and returns true once it has exited.
pub(crate) fn stop_group(pid: u32, grace: Duration, mut exited: impl FnMut() -> bool) {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return;
    };
    // SAFETY: kill(2) on the group the step leads (it was spawned with process_group(0)).
    unsafe {
        libc::kill(-pid, libc::SIGTERM);
    }
    let started = Instant::now();
    while started.elapsed() < grace {
        if exited() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    // SAFETY: as above; whatever is left of the group (grandchildren too) is killed.
    unsafe {
        libc::kill(-pid, libc::SIGKILL);
    }
}
