//! The `open-connectors-emulator` binary: what it prints and that it serves.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::common::TestResult;

/// Kills the child when the test ends, whether it passed or not.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn prints_three_settings_and_serves_with_the_given_secrets() -> TestResult {
    let mut child = Running(
        Command::new(env!("CARGO_BIN_EXE_open-connectors-emulator"))
            .args(["--port", "0"])
            .env("OPEN_CONNECTORS_USER_SECRET", "user+/=")
            .env_remove("OPEN_CONNECTORS_ORGANIZATION_SECRET")
            .stdout(Stdio::piped())
            .spawn()?,
    );
    let stdout = child.0.stdout.take().ok_or("no stdout")?;

    let lines: Vec<String> = BufReader::new(stdout)
        .lines()
        .take(3)
        .collect::<Result<_, _>>()?;
    let value = |name: &str| {
        let prefix = format!("{name}=");
        lines
            .iter()
            .find_map(|line| line.strip_prefix(&prefix))
            .map(str::to_owned)
    };
    let base_url = value("OPEN_CONNECTORS_BASE_URL").ok_or("no base URL")?;
    let organization =
        value("OPEN_CONNECTORS_ORGANIZATION_SECRET").ok_or("no organization secret")?;
    let client = reqwest::Client::builder().no_proxy().build()?;
    let response = client
        .get(format!("{base_url}/elements/caagilecentral"))
        .header(
            "authorization",
            format!("User user+/=, Organization {organization}"),
        )
        .send()
        .await?;

    assert!(base_url.starts_with("http://127.0.0.1:") && base_url.ends_with("/elements/api-v2"));
    assert_eq!(
        value("OPEN_CONNECTORS_USER_SECRET").as_deref(),
        Some("user+/=")
    );
    assert!(organization.len() >= 40);
    assert_eq!(response.status(), 200);
    Ok(())
}

#[test]
fn help_describes_the_port_option() -> TestResult {
    let output = Command::new(env!("CARGO_BIN_EXE_open-connectors-emulator"))
        .arg("--help")
        .output()?;

    assert!(output.status.success());
    assert!(String::from_utf8(output.stdout)?.contains("--port N"));
    Ok(())
}
