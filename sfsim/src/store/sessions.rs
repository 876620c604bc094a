//! The simulator's sessions and tokens (access, refresh, the JWT certificate) and its API
//! call counter, beside the records in the parent module.

use super::*;

impl SimStore {
    /// Records a session token issued to `user_id`.
    pub async fn insert_session(
        &self,
        token: &str,
        user_id: &str,
        client_id: &str,
        issued_at_ms: i64,
    ) -> Result<(), SimError> {
        sqlx::query("INSERT INTO sessions (access_token, user_id, client_id, issued_at_ms) VALUES (?, ?, ?, ?)")
            .bind(token)
            .bind(user_id)
            .bind(client_id)
            .bind(issued_at_ms)
            .execute(&self.pool)
            .await
            .map_err(store_err("insert session"))?;
        Ok(())
    }

    /// The user a live (not revoked) session token belongs to.
    pub async fn session_user(&self, token: &str) -> Result<Option<String>, SimError> {
        let row = sqlx::query("SELECT user_id FROM sessions WHERE access_token = ? AND revoked = 0")
            .bind(token)
            .fetch_optional(&self.pool)
            .await
            .map_err(store_err("look up session"))?;
        Ok(row.map(|r| r.get(0)))
    }

    /// Revokes one session; false when it was unknown or already revoked.
    pub async fn revoke_session(&self, token: &str) -> Result<bool, SimError> {
        let done = sqlx::query("UPDATE sessions SET revoked = 1 WHERE access_token = ? AND revoked = 0")
            .bind(token)
            .execute(&self.pool)
            .await
            .map_err(store_err("revoke session"))?;
        Ok(done.rows_affected() > 0)
    }

    /// Records a refresh token issued to `user_id` with the scope granted.
    pub async fn insert_refresh_token(&self, token: &str, user_id: &str, scope: &str) -> Result<(), SimError> {
        sqlx::query("INSERT INTO refresh_tokens (token, user_id, scope) VALUES (?, ?, ?)")
            .bind(token)
            .bind(user_id)
            .bind(scope)
            .execute(&self.pool)
            .await
            .map_err(store_err("insert refresh token"))?;
        Ok(())
    }

    /// Notes that `access_token` was issued from `refresh_token`, so revoking the latter
    /// revokes the former.
    pub async fn link_session(&self, access_token: &str, refresh_token: &str) -> Result<(), SimError> {
        sqlx::query("INSERT OR REPLACE INTO session_parents (access_token, refresh_token) VALUES (?, ?)")
            .bind(access_token)
            .bind(refresh_token)
            .execute(&self.pool)
            .await
            .map_err(store_err("link session"))?;
        Ok(())
    }

    /// The user and scope of a live refresh token.
    pub async fn refresh_token_grant(&self, token: &str) -> Result<Option<(String, String)>, SimError> {
        let row = sqlx::query("SELECT user_id, scope FROM refresh_tokens WHERE token = ? AND revoked = 0")
            .bind(token)
            .fetch_optional(&self.pool)
            .await
            .map_err(store_err("look up refresh token"))?;
        Ok(row.map(|r| (r.get(0), r.get(1))))
    }

    /// Revokes a refresh token and every access token issued from it; false when it was
    /// not a live refresh token.
    pub async fn revoke_refresh_token(&self, token: &str) -> Result<bool, SimError> {
        let mut tx = self.pool.begin().await.map_err(store_err("begin revoke"))?;
        let done = sqlx::query("UPDATE refresh_tokens SET revoked = 1 WHERE token = ? AND revoked = 0")
            .bind(token)
            .execute(&mut *tx)
            .await
            .map_err(store_err("revoke refresh token"))?;
        sqlx::query(
            "UPDATE sessions SET revoked = 1 WHERE access_token IN \
             (SELECT access_token FROM session_parents WHERE refresh_token = ?)",
        )
        .bind(token)
        .execute(&mut *tx)
        .await
        .map_err(store_err("revoke sessions of refresh token"))?;
        tx.commit().await.map_err(store_err("commit revoke"))?;
        Ok(done.rows_affected() > 0)
    }

    /// The connected app's certificate for the JWT bearer flow (PEM), if one was uploaded.
    pub async fn jwt_certificate(&self) -> Result<Option<String>, SimError> {
        let row = sqlx::query("SELECT jwt_certificate FROM connected_app WHERE id = 1")
            .fetch_optional(&self.pool)
            .await
            .map_err(store_err("read certificate"))?;
        Ok(row.and_then(|r| r.get(0)))
    }

    /// Uploads the connected app's certificate (PEM).
    pub async fn set_jwt_certificate(&self, pem: &str) -> Result<(), SimError> {
        sqlx::query("INSERT OR REPLACE INTO connected_app (id, jwt_certificate) VALUES (1, ?)")
            .bind(pem)
            .execute(&self.pool)
            .await
            .map_err(store_err("save certificate"))?;
        Ok(())
    }

    /// Expires every issued session (clients must log in again).
    pub async fn revoke_all_sessions(&self) -> Result<(), SimError> {
        sqlx::query("UPDATE sessions SET revoked = 1")
            .execute(&self.pool)
            .await
            .map_err(store_err("revoke sessions"))?;
        Ok(())
    }

    /// API calls counted so far.
    pub async fn api_calls(&self) -> Result<u64, SimError> {
        let row = sqlx::query("SELECT used FROM api_usage WHERE id = 1")
            .fetch_one(&self.pool)
            .await
            .map_err(store_err("read api usage"))?;
        Ok(row.get::<i64, _>(0).max(0) as u64)
    }

    /// Sets the API calls counted (tests rewind or exhaust the daily allowance).
    pub async fn set_api_calls(&self, used: u64) -> Result<(), SimError> {
        sqlx::query("UPDATE api_usage SET used = ? WHERE id = 1")
            .bind(used as i64)
            .execute(&self.pool)
            .await
            .map_err(store_err("set api usage"))?;
        Ok(())
    }

    /// Counts one API call and returns the new total.
    pub async fn count_api_call(&self) -> Result<u64, SimError> {
        let row = sqlx::query("UPDATE api_usage SET used = used + 1 WHERE id = 1 RETURNING used")
            .fetch_one(&self.pool)
            .await
            .map_err(store_err("count api call"))?;
        Ok(row.get::<i64, _>(0).max(0) as u64)
    }
}
