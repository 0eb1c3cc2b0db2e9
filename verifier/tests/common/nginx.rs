//! Debian's nginx as the load balancer in front of the services under test, in the
//! foreground as one process in a test directory; and a certificate for it, made at start
//! with openssl from a CA of its own (as an organisation's internal CA would be).
#![allow(dead_code)]
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// nginx, stopped when dropped.
pub struct Nginx(Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts nginx in `dir` with `servers` (the `server { … }` blocks and anything else that
/// goes in `http { … }`), and waits until it listens on every one of `ports`.
pub async fn start(dir: &Path, servers: &str, ports: &[u16]) -> Nginx {
    let d = dir.display();
    let config = format!(
        "master_process off;\ndaemon off;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
         events {{}}\nhttp {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  \
         proxy_temp_path {d}/proxy;\n{servers}\n}}\n"
    );
    std::fs::write(dir.join("nginx.conf"), config).unwrap();
    let child = Command::new("nginx")
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .spawn()
        .expect("Debian's nginx is installed (the README's test command installs it)");
    let nginx = Nginx(child);
    for &port in ports {
        let mut tries = 0;
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            tries += 1;
            assert!(
                tries < 100,
                "nginx did not start: {:?}",
                std::fs::read_to_string(dir.join("error.log"))
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
    nginx
}

/// A server certificate for `localhost` and 127.0.0.1, signed by a CA made for the test.
pub struct TestCertificate {
    /// The CA's certificate (PEM): what a client is told to trust.
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("openssl is installed");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Makes a CA and a server certificate in `dir` (P-256, valid a day).
pub fn make_certificate(dir: &Path) -> TestCertificate {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "1",
            "-subj",
            "/CN=Regie test CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign",
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=localhost",
        ],
    );
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
         extendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "1",
            "-extfile",
            "server.ext",
        ],
    );
    TestCertificate {
        ca: dir.join("ca.pem"),
        cert: dir.join("server.pem"),
        key: dir.join("server.key"),
    }
}

/// `host:port` of an instance's `http://…` address, for an upstream block.
fn host_port(address: &str) -> &str {
    address.trim_start_matches("http://")
}

/// An nginx site: TLS on `port`, requests spread over `instances`.
fn tls_site(name: &str, port: u16, instances: &[&str], cert: &TestCertificate) -> String {
    let servers: String = instances
        .iter()
        .map(|i| format!("server {};", host_port(i)))
        .collect();
    format!(
        "  upstream {name} {{ {servers} keepalive 32; }}\n  server {{\n    \
         listen 127.0.0.1:{port} ssl;\n    ssl_certificate {};\n    \
         ssl_certificate_key {};\n    location / {{\n      proxy_pass http://{name};\n      \
         proxy_http_version 1.1;\n      proxy_set_header Connection \"\";\n      \
         proxy_set_header Host $host;\n    }}\n  }}\n",
        cert.cert.display(),
        cert.key.display()
    )
}

/// A world as a municipality runs it: nginx with TLS (a certificate from a CA of its own)
/// in front of two issuer and two verifier instances on one PostgreSQL database.
pub struct Behind {
    pub world: std::sync::Arc<super::World>,
    /// The task serving the second verifier instance: aborting it stops that instance.
    pub second_verifier: tokio::task::JoinHandle<()>,
    pub ca_pem: Vec<u8>,
    _nginx: Nginx,
    pub dir: super::TempDir,
}

impl Behind {
    pub async fn start() -> Behind {
        let dir = super::TempDir::new("tls-front");
        let cert = make_certificate(&dir.0);
        let (issuer_port, verifier_port) =
            (super::process::free_port(), super::process::free_port());
        let ca_pem = std::fs::read(&cert.ca).unwrap();
        let world = super::World::start_behind(super::Front {
            issuer_url: format!("https://localhost:{issuer_port}"),
            verifier_url: format!("https://localhost:{verifier_port}"),
            ca_pem: ca_pem.clone(),
        })
        .await;
        let issuer_two = world.another_issuer_instance().await;
        let (verifier_two, second_verifier) = world.stoppable_instance().await;
        let site = tls_site(
            "issuers",
            issuer_port,
            &[&world.issuer_listen, &issuer_two],
            &cert,
        ) + &tls_site(
            "verifiers",
            verifier_port,
            &[&world.verifier_listen, &verifier_two],
            &cert,
        );
        let nginx = start(&dir.0, &site, &[issuer_port, verifier_port]).await;
        Behind {
            world: std::sync::Arc::new(world),
            second_verifier,
            ca_pem,
            _nginx: nginx,
            dir,
        }
    }

    /// An HTTP client that trusts the front's CA.
    pub fn client(&self) -> reqwest::ClientBuilder {
        reqwest::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(&self.ca_pem).unwrap())
    }
}
