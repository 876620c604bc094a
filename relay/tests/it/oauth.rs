//! The interactive and server-to-server OAuth flows against sfsim over real sockets: the
//! web-server flow with PKCE driven like a browser (login page, consent page, callback),
//! refresh on an expired session, admin sign-in and disconnect from the admin API, and
//! the JWT bearer flow with an openssl-made key and certificate.

use std::collections::HashMap;
use std::process::Command;

use crmsync::core::api::{ConnectionStatus, DisconnectReport, RelayStatus};
use crmsync_relay::config::{ConnectOnStart, Settings};
use crmsync_relay::state::AppState;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;
use serde_json::json;

use crate::harness::*;

/// A minimal browser: follows nothing by itself, keeps cookies per host:port.
struct Browser {
    http: reqwest::Client,
    jar: HashMap<String, HashMap<String, String>>,
}

fn origin(url: &str) -> String {
    url.split('/').take(3).collect::<Vec<_>>().join("/")
}

/// Unescapes the entities sfsim's pages use.
fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

/// `(name, value)` of every `<input … name="…" value="…">` on a page.
fn inputs(html: &str) -> Vec<(String, String)> {
    html.split("<input")
        .skip(1)
        .filter_map(|tag| {
            let tag = tag.split('>').next()?;
            let attr = |name: &str| {
                let start = tag.find(&format!("{name}=\""))? + name.len() + 2;
                Some(unescape(&tag[start..start + tag[start..].find('"')?]))
            };
            Some((attr("name")?, attr("value").unwrap_or_default()))
        })
        .collect()
}

impl Browser {
    fn new() -> Self {
        Self { http: reqwest::Client::builder().redirect(Policy::none()).build().unwrap(), jar: HashMap::new() }
    }

    fn cookie_header(&self, url: &str) -> String {
        let jar = self.jar.get(&origin(url));
        jar.map(|c| c.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")).unwrap_or_default()
    }

    fn keep_cookies(&mut self, url: &str, response: &reqwest::Response) {
        for value in response.headers().get_all(SET_COOKIE) {
            let pair = value.to_str().unwrap().split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            self.jar.entry(origin(url)).or_default().insert(name.to_string(), value.to_string());
        }
    }

    async fn get(&mut self, url: &str) -> reqwest::Response {
        let response = self.http.get(url).header(COOKIE, self.cookie_header(url)).send().await.unwrap();
        self.keep_cookies(url, &response);
        response
    }

    async fn post_form(&mut self, url: &str, form: &[(String, String)]) -> reqwest::Response {
        let response = self.http.post(url).header(COOKIE, self.cookie_header(url)).form(form).send().await.unwrap();
        self.keep_cookies(url, &response);
        response
    }

    async fn post_json(&mut self, url: &str, body: serde_json::Value) -> reqwest::Response {
        self.http.post(url).header(COOKIE, self.cookie_header(url)).json(&body).send().await.unwrap()
    }

    /// The absolute target of a redirect.
    fn location(response: &reqwest::Response, base: &str) -> String {
        assert!(response.status().is_redirection(), "expected a redirect, got {}", response.status());
        let location = response.headers().get(LOCATION).unwrap().to_str().unwrap().to_string();
        if location.starts_with("http") {
            location
        } else {
            format!("{}{location}", origin(base))
        }
    }

    /// From the relay's start (or sign-in) URL through sfsim's login and consent pages
    /// (pressing `decision`) to the relay's callback; returns where the callback sends
    /// the browser.
    async fn log_in(&mut self, start: &str, username: &str, password: &str, decision: &str) -> String {
        let to_sim = self.get(start).await;
        self.log_in_from(to_sim, start, username, password, decision).await
    }

    /// `POST /api/v1/connect/start` from the relay's own page, with the setup code.
    async fn start_connect(&mut self, relay: &str, setup_code: Option<&str>) -> reqwest::Response {
        let url = format!("{relay}/api/v1/connect/start");
        let form: Vec<(&str, &str)> = setup_code.map(|c| vec![("setup_code", c)]).unwrap_or_default();
        let response = self
            .http
            .post(&url)
            .header(COOKIE, self.cookie_header(&url))
            .header("origin", relay)
            .form(&form)
            .send()
            .await
            .unwrap();
        self.keep_cookies(&url, &response);
        response
    }

    /// Connects from the console: the start form, then the login and consent pages.
    async fn connect(
        &mut self,
        relay: &str,
        code: Option<&str>,
        username: &str,
        password: &str,
        decision: &str,
    ) -> String {
        let to_sim = self.start_connect(relay, code).await;
        self.log_in_from(to_sim, relay, username, password, decision).await
    }

    /// From the redirect to sfsim's authorize page through login and consent to the
    /// relay's callback; returns where the callback sends the browser.
    async fn log_in_from(
        &mut self,
        to_sim: reqwest::Response,
        start: &str,
        username: &str,
        password: &str,
        decision: &str,
    ) -> String {
        let callback = self.through_consent(to_sim, start, username, password, decision).await;
        let back = self.get(&callback).await;
        Self::location(&back, &callback)
    }

    /// From the redirect to sfsim's authorize page through login and consent; returns the
    /// relay's callback URL sfsim sends the browser to (not yet followed).
    async fn through_consent(
        &mut self,
        to_sim: reqwest::Response,
        start: &str,
        username: &str,
        password: &str,
        decision: &str,
    ) -> String {
        let authorize = Self::location(&to_sim, start);
        assert!(
            authorize.contains("code_challenge=") && authorize.contains("code_challenge_method=S256"),
            "{authorize}"
        );
        let mut page = self.get(&authorize).await;
        if page.status().is_success() {
            let html = page.text().await.unwrap();
            if html.contains("id=\"username\"") {
                let mut form = inputs(&html);
                form.retain(|(k, _)| k == "startURL");
                form.push(("username".into(), username.into()));
                form.push(("password".into(), password.into()));
                let logged_in = self.post_form(&format!("{}/login", origin(&authorize)), &form).await;
                let next = Self::location(&logged_in, &authorize);
                page = self.get(&next).await;
            } else {
                panic!("unexpected page: {html}");
            }
        }
        if page.status().is_success() {
            let html = page.text().await.unwrap();
            assert!(html.contains("Allow Access?"), "{html}");
            let mut form = inputs(&html);
            form.push(("decision".into(), decision.into()));
            page = self.post_form(&format!("{}/services/oauth2/authorize/consent", origin(&authorize)), &form).await;
        }
        Self::location(&page, &authorize)
    }
}

fn unattended(mut settings: Settings) -> Settings {
    settings.connect_on_start = ConnectOnStart::None;
    settings
}

/// The relay's current setup code (what `crmsync setup-code` prints).
async fn setup_code(settings: &Settings) -> String {
    let state = AppState::open(settings.clone()).await.unwrap();
    crmsync_relay::security::setup_code::current(&state).await.unwrap()
}

/// Polls until every object has a last sync (the first import finished), 30 s at most.
async fn imported(relay: &str, settings: &Settings) -> RelayStatus {
    for _ in 0..300 {
        let s = admin_status(relay, settings).await;
        if s.objects.len() == 7 && s.objects.values().all(|o| o.last_sync.is_some()) {
            return s;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the first import never finished: {:?}", admin_status(relay, settings).await);
}

#[tokio::test]
async fn web_server_flow_connects_imports_renews_and_disconnects_from_the_admin_api() {
    let dir = temp_dir("oauth-web");
    let sim = start_sim(&dir).await;
    let settings = unattended(settings_for(&sim, &dir, &dir, &sim.org.client_secret));
    let relay = start_relay(settings.clone()).await;
    let ConnectionStatus::NotConnected { login_url } = admin_status(&relay, &settings).await.connection else {
        panic!("expected not connected");
    };
    assert_eq!(login_url, sim.base_url);

    let admin = &sim.org.users[1];
    let password = sim.org.password_of(admin);
    let code = setup_code(&settings).await;
    let mut browser = Browser::new();
    let landed = browser.connect(&relay, Some(&code), &admin.username, &password, "allow").await;
    assert_eq!(landed, format!("{relay}/admin/"));
    let s = imported(&relay, &settings).await;
    let ConnectionStatus::Connected { auth_flow, username, user_id, org_id, .. } = s.connection.clone() else {
        panic!("not connected: {:?}", s.connection);
    };
    assert_eq!(
        (auth_flow.as_str(), username.as_str(), user_id.as_str()),
        ("web_server", admin.username.as_str(), admin.id.as_str())
    );
    assert_eq!(org_id, sim.org.org_id);
    assert!(s.objects["Contact"].rows > 0, "{s:?}");
    let me: serde_json::Value = browser.get(&format!("{relay}/api/v1/admin/me")).await.json().await.unwrap();
    assert_eq!(me["username"], admin.username.as_str());

    // An expired session is renewed with the stored refresh token, once.
    let state = AppState::open(settings.clone()).await.unwrap();
    fault(&sim, json!({ "kind": "expired_session", "count": 1 })).await;
    let report =
        crmsync_relay::jobs::import::import(&state, false, &|_, _| {}).await.expect("renewed by refresh token");
    assert_eq!(report.objects.len(), 7);

    // Reconnecting needs the admin session: another browser is refused.
    let stranger = Browser::new().start_connect(&relay, Some(&code)).await;
    assert_eq!(stranger.status(), 403);
    let anonymous = Browser::new().post_json(&format!("{relay}/api/v1/connection/disconnect"), json!({})).await;
    assert_eq!(anonymous.status(), 401);

    // A non-admin user of the org cannot sign in to the console.
    let rep = &sim.org.users[2];
    let mut rep_browser = Browser::new();
    let landed = rep_browser
        .log_in(&format!("{relay}/api/v1/admin/sign-in"), &rep.username, &sim.org.password_of(rep), "allow")
        .await;
    assert!(landed.contains("error=") && landed.contains("not+an+admin"), "{landed}");
    assert_eq!(rep_browser.get(&format!("{relay}/api/v1/admin/me")).await.status(), 401);

    // The admin disconnects with clean-up: tokens revoked, rows purged, a report.
    let response =
        browser.post_json(&format!("{relay}/api/v1/connection/disconnect"), json!({ "clean_up": true })).await;
    assert_eq!(response.status(), 200);
    let report: DisconnectReport = response.json().await.unwrap();
    assert!(report.revoked);
    let crm_rows = report.purged.iter().find(|(t, _)| t == "crm_records").map(|(_, n)| *n).unwrap();
    assert!(crm_rows > 0, "{report:?}");
    let after = admin_status(&relay, &settings).await;
    assert!(matches!(after.connection, ConnectionStatus::NotConnected { .. }), "{after:?}");
    assert!(after.objects.is_empty(), "{after:?}");
    assert_eq!(
        browser.get(&format!("{relay}/api/v1/admin/me")).await.status(),
        401,
        "sessions end with the connection"
    );
    // The console's disconnect does not reopen the relay to whoever comes first: the old
    // setup code is spent, a new one guards the next connect.
    assert_eq!(Browser::new().start_connect(&relay, Some(&code)).await.status(), 403);
    let fresh = setup_code(&settings).await;
    assert_ne!(fresh, code);
    assert!(Browser::new().start_connect(&relay, Some(&fresh)).await.status().is_redirection());
}

#[tokio::test]
async fn denied_consent_wrong_password_and_replayed_state_are_reported() {
    let dir = temp_dir("oauth-denied");
    let sim = start_sim(&dir).await;
    let settings = unattended(settings_for(&sim, &dir, &dir, &sim.org.client_secret));
    let relay = start_relay(settings.clone()).await;
    let admin = &sim.org.users[1];
    let code = setup_code(&settings).await;

    let landed =
        Browser::new().connect(&relay, Some(&code), &admin.username, &sim.org.password_of(admin), "deny").await;
    assert!(landed.contains("/admin/?error=") && landed.contains("access_denied"), "{landed}");
    assert!(matches!(admin_status(&relay, &settings).await.connection, ConnectionStatus::NotConnected { .. }));

    // A wrong password stays on the login page with Salesforce's message.
    let mut browser = Browser::new();
    let to_sim = browser.start_connect(&relay, Some(&code)).await;
    let authorize = Browser::location(&to_sim, &relay);
    let html = browser.get(&authorize).await.text().await.unwrap();
    let mut form: Vec<_> = inputs(&html).into_iter().filter(|(k, _)| k == "startURL").collect();
    form.push(("username".into(), admin.username.clone()));
    form.push(("password".into(), "wrong".into()));
    let page = browser.post_form(&format!("{}/login", sim.base_url), &form).await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Please check your username and password"));

    // An unknown or reused state never connects.
    let replay = Browser::new().get(&format!("{relay}/api/v1/connect/callback?code=x&state=forged")).await;
    let target = Browser::location(&replay, &relay);
    assert!(target.contains("error=") && target.contains("expired"), "{target}");
}

#[tokio::test]
async fn sfsim_token_endpoint_checks_pkce_codes_and_redirects() {
    let dir = temp_dir("oauth-pkce");
    let sim = start_sim(&dir).await;
    let admin = &sim.org.users[1];
    let verifier = "a-verifier-of-enough-length-0123456789abcdefghijkl";
    let challenge = crmsync_relay::salesforce::oauth::pkce_challenge(verifier);
    let redirect = "http://127.0.0.1:9/cb";
    let authorize = format!(
        "{}/services/oauth2/authorize?response_type=code&client_id={}&redirect_uri={}&state=s1&code_challenge={challenge}&code_challenge_method=S256",
        sim.base_url,
        sim.org.client_id,
        "http%3A%2F%2F127.0.0.1%3A9%2Fcb"
    );
    let mut browser = Browser::new();
    let html = browser.get(&authorize).await.text().await.unwrap();
    let mut form: Vec<_> = inputs(&html).into_iter().filter(|(k, _)| k == "startURL").collect();
    form.push(("username".into(), admin.username.clone()));
    form.push(("password".into(), sim.org.password_of(admin)));
    browser.post_form(&format!("{}/login", sim.base_url), &form).await;
    let consent = browser.get(&authorize).await.text().await.unwrap();
    let mut form = inputs(&consent);
    form.push(("decision".into(), "allow".into()));
    let back = browser.post_form(&format!("{}/services/oauth2/authorize/consent", sim.base_url), &form).await;
    let callback = Browser::location(&back, &sim.base_url);
    assert!(callback.starts_with(redirect) && callback.contains("state=s1"), "{callback}");
    let code = callback.split("code=").nth(1).unwrap().split('&').next().unwrap().to_string();

    let token = |extra: Vec<(&'static str, String)>| {
        let mut form = vec![
            ("grant_type", "authorization_code".to_string()),
            ("client_id", sim.org.client_id.clone()),
            ("redirect_uri", redirect.to_string()),
        ];
        form.extend(extra);
        let url = format!("{}/services/oauth2/token", sim.base_url);
        async move { reqwest::Client::new().post(url).form(&form).send().await.unwrap() }
    };
    let code_param = serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("c={code}")).unwrap()[0].1.clone();
    let wrong = token(vec![("code", code_param.clone()), ("code_verifier", "not-it".into())]).await;
    assert_eq!(wrong.status(), 400);
    let body: serde_json::Value = wrong.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant", "{body}");
    // The failed attempt used the code up, as a real server does.
    let again = token(vec![("code", code_param), ("code_verifier", verifier.into())]).await;
    let body: serde_json::Value = again.json().await.unwrap();
    assert_eq!(body["error_description"], "invalid authorization code", "{body}");

    // A callback that is not registered gets an error page, never a redirect.
    let evil = browser
        .get(&format!(
            "{}/services/oauth2/authorize?response_type=code&client_id={}&redirect_uri=https%3A%2F%2Fevil.example.com%2F",
            sim.base_url, sim.org.client_id
        ))
        .await;
    assert_eq!(evil.status(), 400);
    assert!(evil.text().await.unwrap().contains("redirect_uri_mismatch"));
}

/// A key and a self-signed certificate made by openssl (installed by `./build.sh test`).
fn key_and_certificate(dir: &std::path::Path, name: &str) -> (std::path::PathBuf, String) {
    let key = dir.join(format!("{name}.key"));
    let cert = dir.join(format!("{name}.crt"));
    let status = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=crmsync-test"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl is needed for the JWT tests (./build.sh test installs it)");
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    (key, std::fs::read_to_string(cert).unwrap())
}

#[tokio::test]
async fn jwt_bearer_connects_renews_and_refuses_a_foreign_key() {
    let dir = temp_dir("oauth-jwt");
    let (key, certificate) = key_and_certificate(&dir, "app");
    let (foreign_key, _) = key_and_certificate(&dir, "foreign");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = sfsim::SimConfig {
        data_dir: dir.join("sfsim"),
        seed: 7,
        seed_org_rows: 300,
        jwt_certificate: Some(certificate),
        my_domain: None,
    };
    let running = sfsim::launch(listener, config).await.unwrap();
    let sim = Sim { base_url: running.base_url().to_string(), org: running.org().clone() };
    tokio::spawn(running.serve());
    let admin = sim.org.users[1].clone();
    let mut settings = settings_for(&sim, &dir, &dir, &sim.org.client_secret);
    settings.jwt_key = Some(key.clone());
    settings.jwt_username = Some(admin.username.clone());
    let state = AppState::open(settings).await.unwrap();

    let err = crmsync_relay::connect::connect_jwt(&state, None, Some(&foreign_key)).await.unwrap_err();
    assert!(err.to_string().contains("invalid_grant") && err.to_string().contains("invalid assertion"), "{err}");
    let err = crmsync_relay::connect::connect_jwt(&state, Some("nobody@example.com"), None).await.unwrap_err();
    assert!(err.to_string().contains("approved"), "{err}");

    let connection = crmsync_relay::connect::connect_jwt(&state, None, None).await.unwrap();
    assert_eq!(connection.user_id, admin.id);
    assert_eq!(connection.auth_flow.as_str(), "jwt");
    assert!(connection.refresh_token_sealed.is_none());
    fault(&sim, json!({ "kind": "expired_session", "count": 1 })).await;
    let report = crmsync_relay::jobs::import::import(&state, true, &|_, _| {}).await.expect("renewed with a new JWT");
    assert!(report.objects.iter().any(|o| o.rows > 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rep_with_a_seat_signs_in_for_a_session_token_and_signs_out() {
    let r = crate::writeback::ready("rep-sign-in", 200).await;
    let return_to = "https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/signed-in";
    let start = format!("{}/api/v1/rep/sign-in?return_to={return_to}", r.relay);
    let landed = Browser::new().log_in(&start, &r.rep.username, &r.sim.org.password_of(&r.rep), "allow").await;
    let fragment = landed.strip_prefix(&format!("{return_to}#")).unwrap_or_else(|| panic!("landed on {landed}"));
    let pairs: HashMap<String, String> = serde_urlencoded::from_str(fragment).unwrap();
    assert_eq!(pairs["user_id"], r.rep.id);
    assert_eq!(pairs["expires_in"], "2592000");
    let token = &pairs["token"];
    let get_me = |token: String| {
        let url = format!("{}/api/v1/me", r.relay);
        async move { reqwest::Client::new().get(url).bearer_auth(token).send().await.unwrap() }
    };
    let me: serde_json::Value = get_me(token.clone()).await.json().await.unwrap();
    assert_eq!(me["username"], json!(r.rep.username));
    let out = reqwest::Client::new()
        .post(format!("{}/api/v1/rep/sign-out", r.relay))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204);
    assert_eq!(get_me(token.clone()).await.status(), 401, "a signed-out token is refused");
    // The admin-minted token of the same rep still works: sign-out ends one session only.
    assert_eq!(get_me(r.token.clone()).await.status(), 200);

    // A user without a seat is told so, on the extension's page.
    let seatless = r.other_user();
    let landed = Browser::new().log_in(&start, &seatless.username, &r.sim.org.password_of(&seatless), "allow").await;
    assert!(landed.starts_with(&format!("{return_to}#error=")) && landed.contains("no+crmsync+seat"), "{landed}");
    // Only the extension's identity URL or the relay's own pages receive tokens.
    let refused =
        Browser::new().get(&format!("{}/api/v1/rep/sign-in?return_to=https://evil.example.com/", r.relay)).await;
    assert_eq!(refused.status(), 400);
}

#[tokio::test]
async fn connect_needs_a_same_origin_post_the_setup_code_and_the_browser_that_started_it() {
    let dir = temp_dir("oauth-csrf");
    let sim = start_sim(&dir).await;
    let settings = unattended(settings_for(&sim, &dir, &dir, &sim.org.client_secret));
    let relay = start_relay(settings.clone()).await;
    let admin = &sim.org.users[1];
    let code = setup_code(&settings).await;

    // A link or a cross-site form cannot start a connect.
    assert_eq!(Browser::new().get(&format!("{relay}/api/v1/connect/start")).await.status(), 405);
    let cross_site = Browser::new()
        .http
        .post(format!("{relay}/api/v1/connect/start"))
        .header("origin", "https://evil.example")
        .form(&[("setup_code", code.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), 403);
    let no_origin = Browser::new()
        .http
        .post(format!("{relay}/api/v1/connect/start"))
        .form(&[("setup_code", &code)])
        .send()
        .await
        .unwrap();
    assert_eq!(no_origin.status(), 403);

    // First come is not first served: the setup code is needed.
    let missing = Browser::new().start_connect(&relay, None).await;
    assert_eq!(missing.status(), 403);
    let body: serde_json::Value = missing.json().await.unwrap();
    assert!(body["error"]["message"].as_str().unwrap().contains("setup-code"), "{body}");
    assert_eq!(Browser::new().start_connect(&relay, Some("AAAA-BBBB-CCCC")).await.status(), 403);

    // A login started in the attacker's browser cannot be finished in the victim's: the
    // callback URL carries the state, but the nonce cookie stays with the attacker.
    let mut attacker = Browser::new();
    let to_sim = attacker.start_connect(&relay, Some(&code)).await;
    assert!(to_sim.headers().get_all(SET_COOKIE).iter().any(|c| {
        let c = c.to_str().unwrap();
        c.starts_with("__Host-crmsync_login_") && c.contains("Secure") && c.contains("HttpOnly")
    }));
    let authorize = Browser::location(&to_sim, &relay);
    let state = authorize.split("state=").nth(1).unwrap().split('&').next().unwrap().to_string();
    let victim = Browser::new().get(&format!("{relay}/api/v1/connect/callback?code=stolen&state={state}")).await;
    let target = Browser::location(&victim, &relay);
    assert!(target.contains("another+browser"), "{target}");
    assert!(matches!(admin_status(&relay, &settings).await.connection, ConnectionStatus::NotConnected { .. }));

    // The right browser with the code connects; the code is then used up.
    let landed =
        Browser::new().connect(&relay, Some(&code), &admin.username, &sim.org.password_of(admin), "allow").await;
    assert_eq!(landed, format!("{relay}/admin/"));
    let state_of = AppState::open(settings.clone()).await.unwrap();
    assert!(state_of.store.fact("setup_code").await.unwrap().is_none());
}

#[tokio::test]
async fn a_login_started_on_one_relay_finishes_on_another_of_the_store_and_only_once() {
    let dir = temp_dir("oauth-replicas");
    let sim = start_sim(&dir).await;
    let settings = unattended(settings_for(&sim, &dir, &dir, &sim.org.client_secret));
    let (first, second) = (start_relay(settings.clone()).await, start_relay(settings.clone()).await);
    let admin = &sim.org.users[1];
    let code = setup_code(&settings).await;

    // Started on the first replica; behind one public address the browser's callback
    // reaches the second, with the same cookie.
    let mut browser = Browser::new();
    let to_sim = browser.start_connect(&first, Some(&code)).await;
    let callback = browser.through_consent(to_sim, &first, &admin.username, &sim.org.password_of(admin), "allow").await;
    let cookies = browser.jar.get(&origin(&first)).cloned().unwrap_or_default();
    browser.jar.insert(origin(&second), cookies.clone());
    let on_second = callback.replacen(&first, &second, 1);
    assert_ne!(on_second, callback);
    let landed = browser.get(&on_second).await;
    assert_eq!(Browser::location(&landed, &second), format!("{second}/admin/"));
    assert!(matches!(admin_status(&first, &settings).await.connection, ConnectionStatus::Connected { .. }));

    // The same callback again, on either replica and with the cookie kept, is refused:
    // the store knows it was used.
    for relay in [&first, &second] {
        browser.jar.insert(origin(relay), cookies.clone());
        let replay = browser.get(&callback.replacen(&first, relay, 1)).await;
        let target = Browser::location(&replay, relay);
        assert!(target.contains("already+used"), "{target}");
    }
}

#[tokio::test]
async fn a_configured_admin_username_is_the_only_one_who_connects_without_the_code() {
    let dir = temp_dir("oauth-admin-user");
    let sim = start_sim(&dir).await;
    let admin = sim.org.users[1].clone();
    let mut settings = unattended(settings_for(&sim, &dir, &dir, &sim.org.client_secret));
    settings.admin_username = Some(admin.username.clone());
    let relay = start_relay(settings.clone()).await;
    let other = sim.org.users.iter().find(|u| u.is_active && u.id != admin.id).unwrap().clone();
    let landed = Browser::new().connect(&relay, None, &other.username, &sim.org.password_of(&other), "allow").await;
    assert!(landed.contains("error=") && landed.contains("CRMSYNC_ADMIN_USERNAME"), "{landed}");
    assert!(matches!(admin_status(&relay, &settings).await.connection, ConnectionStatus::NotConnected { .. }));
    let landed = Browser::new().connect(&relay, None, &admin.username, &sim.org.password_of(&admin), "allow").await;
    assert_eq!(landed, format!("{relay}/admin/"));
}

#[tokio::test]
async fn a_same_origin_form_post_is_known_by_fetch_metadata_when_the_origin_is_withheld() {
    let dir = temp_dir("oauth-fetch-site");
    let sim = start_sim(&dir).await;
    let settings = unattended(settings_for(&sim, &dir, &dir, &sim.org.client_secret));
    let relay = start_relay(settings.clone()).await;
    let code = setup_code(&settings).await;
    let post = |origin: &'static str, site: &'static str| {
        let (url, code) = (format!("{relay}/api/v1/connect/start"), code.clone());
        async move {
            Browser::new()
                .http
                .post(url)
                .header("origin", origin)
                .header("sec-fetch-site", site)
                .form(&[("setup_code", code)])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    // Chromium sends `Origin: null` for a form POST under `Referrer-Policy: no-referrer`.
    assert_eq!(post("null", "same-origin").await, 303);
    assert_eq!(post("null", "cross-site").await, 403);
    assert_eq!(post("null", "same-site").await, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_started_logins_cannot_evict_a_login_in_progress() {
    let r = crate::writeback::ready("oauth-flood", 100).await;
    let return_to = "https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/signed-in";
    let start = format!("{}/api/v1/rep/sign-in?return_to={return_to}", r.relay);
    let mut rep = Browser::new();
    let to_sim = rep.get(&start).await;
    assert!(to_sim.status().is_redirection());
    // More logins than the relay ever kept in memory, started by someone else.
    let flood = Browser::new().http;
    for _ in 0..300 {
        assert!(flood.get(&start).send().await.unwrap().status().is_redirection());
    }
    let landed = rep.log_in_from(to_sim, &start, &r.rep.username, &r.sim.org.password_of(&r.rep), "allow").await;
    assert!(landed.starts_with(&format!("{return_to}#token=")), "{landed}");
}
