//! CronWorkflow schedules (a light version of robfig/cron's ParseStandard).

use crate::lang::duration::parse_go;

/// Standard 5-field cron or an `@` descriptor (`@daily`, `@every 1h`, ...), optional `CRON_TZ=`.
pub(crate) fn check_cron(s: &str) -> Result<(), &'static str> {
    let mut fields: Vec<&str> = s.split_whitespace().collect();
    if fields
        .first()
        .is_some_and(|f| f.starts_with("CRON_TZ=") || f.starts_with("TZ="))
    {
        fields.remove(0);
    }
    match fields.as_slice() {
        [] => Err("empty"),
        ["@every", d] if parse_go(d).is_ok() => Ok(()),
        [d] if d.starts_with('@') => {
            const DESCRIPTORS: &[&str] = &[
                "@yearly",
                "@annually",
                "@monthly",
                "@weekly",
                "@daily",
                "@midnight",
                "@hourly",
            ];
            if DESCRIPTORS.contains(d) {
                Ok(())
            } else {
                Err("unknown descriptor")
            }
        }
        f if f.len() == 5 => {
            let ok = f.iter().all(|x| {
                x.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "*/,-?".contains(c))
            });
            if ok {
                Ok(())
            } else {
                Err("unexpected character")
            }
        }
        _ => Err("expected 5 fields (minute hour day-of-month month day-of-week)"),
    }
}
