//! A PIN change and its `pin_changed` event take effect together (issue 18, item 6): the
//! real `regie-wallet change-pin` is killed with SIGKILL at many moments, at random delays
//! and at moments seen from outside (the new store appears, the new vault file is written
//! but not yet renamed, the vault was replaced). After each kill, exactly one of the two
//! PINs opens the wallet: the old one with no new `pin_changed`, or the new one with it;
//! and the credentials are all there. No hook in the program: every kill is a real one.
mod common;
mod review;

use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::{Duration, Instant};

use common::cli::*;
use common::*;
use serde_json::Value;

const OTHER_PIN: &str = "918273";

/// What the kill left, as found after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Found {
    /// The old PIN opens the wallet, and the history has no new `pin_changed`.
    Old,
    /// The old PIN, and the kill came after the new store had its `pin_changed` event and
    /// the new vault file was written, but before that file was renamed into place: the
    /// window between the two steps.
    OldBetween,
    /// The new PIN opens the wallet, with `pin_changed` in the history.
    New,
}

/// When to kill.
#[derive(Clone, Copy, Debug)]
enum Moment {
    After(Duration),
    /// A second store is there (the copy into the new store is under way).
    NewStore,
    /// A complete new vault file waits under its temporary name.
    VaultWritten,
    /// `vault.json` is another file than before the run.
    VaultReplaced,
}

fn names(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn vault_temp(dir: &Path) -> Option<std::path::PathBuf> {
    names(dir)
        .into_iter()
        .find(|n| n.starts_with("vault.json.") && n.ends_with(".tmp"))
        .map(|n| dir.join(n))
}

fn inode(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.ino()).unwrap_or(0)
}

fn pin_changed_count(history: &[Value]) -> usize {
    history
        .iter()
        .filter(|e| e["type"] == "pin_changed")
        .count()
}

/// Kills one `change-pin` from `old` to `new` at `moment`; says whether it hit the moment
/// and whether the window between the steps was caught.
fn kill_change(cli: &Cli, old: &str, new: &str, moment: Moment) -> (bool, bool) {
    let dir = &cli.data_dir;
    let stdin = format!("{old}\n{new}\n");
    let args = ["change-pin"];
    let limit = Duration::from_secs(30);
    let hit = match moment {
        Moment::After(after) => {
            cli.run_killed(&args, &stdin, after);
            true
        }
        Moment::NewStore => cli.run_killed_when(&args, &stdin, limit, || {
            names(dir)
                .iter()
                .filter(|n| n.starts_with("store-"))
                .count()
                > 1
        }),
        Moment::VaultWritten => cli.run_killed_when(&args, &stdin, limit, || {
            vault_temp(dir).is_some_and(|t| {
                std::fs::read(t)
                    .ok()
                    .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
                    .is_some()
            })
        }),
        Moment::VaultReplaced => {
            let before = inode(&dir.join("vault.json"));
            cli.run_killed_when(&args, &stdin, limit, || {
                let now = inode(&dir.join("vault.json"));
                now != 0 && now != before
            })
        }
    };
    // Caught between the steps: the new vault file is complete but not in place, and the
    // store it names already holds the `pin_changed` event, under the key the new PIN opens.
    let between = vault_temp(dir).is_some_and(|t| {
        let Some(pending) = std::fs::read(&t)
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        else {
            return false;
        };
        let named = pending["store"].as_str().unwrap_or_default();
        let Some(key) = review::data_key(&pending, new) else {
            return false;
        };
        review::open_tree(&dir.join(named), "history", &key).is_some_and(|events| {
            events.iter().any(|e| {
                serde_json::from_slice::<Value>(e).is_ok_and(|v| v["type"] == "pin_changed")
            })
        })
    });
    (hit, between)
}

/// Finds which PIN the kill left active and checks everything else against it.
fn check(cli: &Cli, old: &str, new: &str, changes: usize, credentials: &[String]) -> bool {
    let dir = &cli.data_dir;
    // From the files, as a reviewer would: exactly one of the two PINs opens the vault.
    let vault = review::vault(dir);
    let opens_old = review::data_key(&vault, old).is_some();
    let opens_new = review::data_key(&vault, new).is_some();
    assert!(opens_old != opens_new, "old {opens_old}, new {opens_new}");
    let (right, wrong) = if opens_new { (new, old) } else { (old, new) };
    // And through the program: the other PIN is a wrong PIN (counted, then cleared by the
    // right one, so the kills never add up to a wait) ...
    let refused = cli.run(&["--json", "history"], &format!("{wrong}\n"));
    assert_eq!(refused.json()["error"], "wrong_pin", "{}", refused.stdout);
    // ... and the right one shows the history and every credential.
    let export = cli.run(&["export"], &format!("{right}\n"));
    assert_eq!(export.code, 0, "{}", export.stderr);
    let export = export.json();
    let history = export["history"].as_array().unwrap();
    let expected = changes + usize::from(opens_new);
    assert_eq!(pin_changed_count(history), expected, "{history:?}");
    let mut held: Vec<String> = export["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    held.sort();
    assert_eq!(held, credentials, "the credentials are all there");
    for c in export["credentials"].as_array().unwrap() {
        assert_eq!(c["copies_total"], 3, "{c}");
    }
    // Opening cleared what the kill left: one store, no temporary file.
    let left = names(dir);
    assert_eq!(
        left.iter().filter(|n| n.starts_with("store-")).count(),
        1,
        "{left:?}"
    );
    assert!(vault_temp(dir).is_none(), "{left:?}");
    opens_new
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pin_change_killed_anywhere_is_whole_or_not_at_all() {
    let (issuer, _scheme, _dir, cli) = setup().await;
    let c = cli.clone();
    assert_eq!(
        blocking(move || c.run(&["init"], &pin_line())).await.code,
        0
    );
    let mut credentials = Vec::new();
    for kind in ["woonhistorie", "uittreksel-brp"] {
        let (offer, _, _) = issuer.offer(kind, false).await;
        let c = cli.clone();
        let run = blocking(move || c.run(&["--json", "accept-offer", &offer], &pin_line())).await;
        assert_eq!(run.code, 0, "{}", run.stdout);
        credentials.push(
            run.json()["credentials"][0]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    credentials.sort();

    let seed = env_number("REGIE_CRASH_SEED", now());
    eprintln!("crash test seed {seed} (set REGIE_CRASH_SEED to replay)");
    let rounds = env_number("REGIE_CRASH_ROUNDS", 6);
    let c = cli.clone();
    blocking(move || {
        let mut rng = Lcg(seed);
        let mut pins = [PIN, OTHER_PIN];
        let mut changes = 0;
        // One change to its end, to know how long one takes here.
        let start = Instant::now();
        let run = c.run(&["change-pin"], &format!("{}\n{}\n", pins[0], pins[1]));
        assert_eq!(run.code, 0, "{}", run.stderr);
        let whole = start.elapsed();
        pins.swap(0, 1);
        changes += 1;
        assert!(check(&c, pins[1], pins[0], changes - 1, &credentials));

        // Kills from the start to well past the usual end (runs vary with the load).
        let span = whole.as_millis() as u64 * 3 / 2;
        let mut moments: Vec<Moment> = (0..rounds)
            .map(|_| Moment::After(Duration::from_millis(rng.next_ms(span))))
            .collect();
        for _ in 0..rounds.div_ceil(3) {
            moments.extend([
                Moment::NewStore,
                Moment::VaultWritten,
                Moment::VaultReplaced,
            ]);
        }
        let mut found = Vec::new();
        let mut run_one = |moment: Moment, found: &mut Vec<(Moment, bool, Found)>| {
            let (hit, between) = kill_change(&c, pins[0], pins[1], moment);
            let new = check(&c, pins[0], pins[1], changes, &credentials);
            let what = match (new, between) {
                (true, _) => Found::New,
                (false, true) => Found::OldBetween,
                (false, false) => Found::Old,
            };
            if new {
                pins.swap(0, 1);
                changes += 1;
            }
            found.push((moment, hit, what));
            what
        };
        for moment in moments {
            run_one(moment, &mut found);
        }
        // The window between the event and the rename is a few milliseconds (the vault
        // file's fsync): try until a kill lands in it.
        let mut tries = 0;
        while !found.iter().any(|(_, _, f)| *f == Found::OldBetween) && tries < 10 {
            run_one(Moment::VaultWritten, &mut found);
            tries += 1;
        }
        for f in &found {
            eprintln!("{f:?}");
        }
        let count = |w: Found| found.iter().filter(|(_, _, f)| *f == w).count();
        eprintln!(
            "old {} (between the steps {}), new {}",
            count(Found::Old) + count(Found::OldBetween),
            count(Found::OldBetween),
            count(Found::New)
        );
        assert!(
            count(Found::Old) + count(Found::OldBetween) > 0,
            "no kill came early"
        );
        assert!(count(Found::New) > 0, "no kill came late");
        assert!(
            count(Found::OldBetween) > 0,
            "no kill landed between the two steps"
        );
    })
    .await;
}
