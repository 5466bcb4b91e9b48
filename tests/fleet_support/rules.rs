//! The generated rule file, as the tests load it.

use std::collections::BTreeSet;
use std::path::PathBuf;

use kvstats_core::catalog::{Catalog, Format};
use tempfile::TempDir;

use super::HOLD;

/// The generated rule file, holds shortened to `HOLD`, in a directory of
/// its own (gone when dropped).
pub struct RuleFile {
    _dir: TempDir,
    pub path: PathBuf,
    text: String,
}

impl RuleFile {
    pub fn generate(catalog: &Catalog) -> RuleFile {
        let generated = catalog.render(Format::Rules);
        let mut holds = 0;
        let text: String = generated
            .lines()
            .map(|line| {
                let setting = line.trim_start();
                if setting.starts_with("for: ") {
                    holds += 1;
                    let indent = &line[..line.len() - setting.len()];
                    format!("{indent}for: \"{HOLD}\"\n")
                } else {
                    format!("{line}\n")
                }
            })
            .collect();
        assert!(holds > 0, "no alert holds `for:` in\n{generated}");
        let dir = tempfile::tempdir().expect("a directory");
        let path = dir.path().join("kvstats.rules.yml");
        std::fs::write(&path, &text).expect("the rule file is written");
        RuleFile {
            _dir: dir,
            path,
            text,
        }
    }

    /// The value of every `- KEY: "value"` line of the file, in order: the
    /// names of its rules, for `record` and `alert`.
    pub fn values(&self, key: &str) -> Vec<String> {
        let prefix = format!("- {key}: ");
        self.text
            .lines()
            .filter_map(|line| line.trim().strip_prefix(&prefix))
            .map(|value| value.trim_matches('"').to_owned())
            .collect()
    }

    /// The series the file records, each once.
    pub fn recorded(&self) -> BTreeSet<String> {
        self.values("record").into_iter().collect()
    }
}
