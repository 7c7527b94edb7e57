//! What a backend binary is asked to do: serve (the default), apply its
//! migrations and exit (`migrate`, for a deployment's migration job), make
//! or update the event stream and exit (`provision-events`, the same job's
//! other step, ADR 0024), or check its own health (`healthcheck`, for
//! container health checks).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Serve,
    Migrate,
    ProvisionEvents,
    HealthCheck,
}

/// Splits the mode word off the arguments; the rest go to the config parser.
pub fn mode_and_args(args: impl IntoIterator<Item = String>) -> (Mode, Vec<String>) {
    let mut args: Vec<String> = args.into_iter().collect();
    let mode = match args.get(1).map(String::as_str) {
        Some("migrate") => Mode::Migrate,
        Some("healthcheck") => Mode::HealthCheck,
        Some("provision-events") => Mode::ProvisionEvents,
        Some("serve") => Mode::Serve,
        _ => return (Mode::Serve, args),
    };
    args.remove(1);
    (mode, args)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn the_mode_word_is_taken_off() {
        assert_eq!(
            mode_and_args(args(&["identity"])),
            (Mode::Serve, args(&["identity"]))
        );
        assert_eq!(
            mode_and_args(args(&["identity", "migrate", "--database-url", "x"])),
            (Mode::Migrate, args(&["identity", "--database-url", "x"]))
        );
        assert_eq!(
            mode_and_args(args(&["notification", "healthcheck"])).0,
            Mode::HealthCheck
        );
        assert_eq!(
            mode_and_args(args(&["requests", "provision-events"])),
            (Mode::ProvisionEvents, args(&["requests"]))
        );
        assert_eq!(
            mode_and_args(args(&["requests", "--help"])),
            (Mode::Serve, args(&["requests", "--help"]))
        );
    }
}
