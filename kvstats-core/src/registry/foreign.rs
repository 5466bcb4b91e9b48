//! Whether the families a `prometheus` collector declares can join the
//! plan: one family per name, with one help and one label set.

use crate::error::{Error, Result};
use crate::render::plan::{ForeignFamily, Plan};

use super::register;

/// Whether every family a collector declares can join the plan.
pub(super) fn check_all(plan: &Plan, declared: &[(Box<str>, ForeignFamily)]) -> Result<()> {
    declared
        .iter()
        .try_for_each(|(name, family)| check(plan, name, family))
}

/// Whether a collector's family `name` can join the plan.
fn check(plan: &Plan, name: &str, theirs: &ForeignFamily) -> Result<()> {
    let Some(ours) = plan.families.get(name) else {
        return Ok(());
    };
    let Some(labels) = &ours.label_names else {
        return Err(Error::Inconsistent {
            metric: name.to_owned(),
            detail: "the library's own metric of that name; the collector must use another \
                     name"
                .to_owned(),
        });
    };
    if ours.help != theirs.help {
        return Err(register::inconsistent(
            name,
            format!("help {:?}", ours.help),
            format!("help {:?}", theirs.help),
            "",
        ));
    }
    if *labels != theirs.label_names {
        return Err(register::inconsistent(
            name,
            format!(
                "label names {}",
                register::list(labels.iter().map(|n| &**n))
            ),
            format!(
                "label names {}",
                register::list(theirs.label_names.iter().map(|n| &**n))
            ),
            "",
        ));
    }
    Ok(())
}
