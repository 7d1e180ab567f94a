//! What the server has learnt about identities: which tenant owns a domain, and which user owns
//! an address (see [`crate::auth::identity`] for the rule these serve).
//!
//! Both are first-come: a row, once written, is never replaced by a later claimant, only
//! removed with its tenant ([`super::tenants`]). Each is an insert that does nothing when the
//! row exists, then a read of who holds it, so two servers racing for the same row agree on
//! the winner. They are written through the readers' pool rather than the audited writer: they
//! record what tokens said, not a decision, and a sign-in must not wait for a batch of
//! releases.

use super::{Store, StoreError};

impl Store {
    /// The tenant that owns `domain`, learning that it is `tenant_id` if no tenant does yet.
    pub async fn learn_domain(
        &self,
        domain: &str,
        tenant_id: &str,
        now: i64,
    ) -> Result<String, StoreError> {
        sqlx::query(
            "INSERT INTO domain_tenants (domain, tenant_id, learned_at) VALUES ($1, $2, $3) \
             ON CONFLICT (domain) DO NOTHING",
        )
        .bind(domain)
        .bind(tenant_id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        self.domain_owner(domain)
            .await?
            .ok_or(StoreError::Query(sqlx::Error::RowNotFound))
    }

    /// The tenant that owns `domain`, if one is known.
    pub async fn domain_owner(&self, domain: &str) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT tenant_id FROM domain_tenants WHERE domain = $1")
                .bind(domain)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// The addresses bound to the user (`tenant_id`, `object_id`), sorted.
    pub async fn addresses_of(
        &self,
        tenant_id: &str,
        object_id: &str,
    ) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT address FROM address_bindings WHERE tenant_id = $1 AND object_id = $2 \
             ORDER BY address",
        )
        .bind(tenant_id)
        .bind(object_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The (tenant, object id) that owns `address`, binding it to `tenant_id`/`object_id` if
    /// nobody does yet.
    pub async fn bind_address(
        &self,
        address: &str,
        tenant_id: &str,
        object_id: &str,
        now: i64,
    ) -> Result<(String, String), StoreError> {
        sqlx::query(
            "INSERT INTO address_bindings (address, tenant_id, object_id, bound_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (address) DO NOTHING",
        )
        .bind(address)
        .bind(tenant_id)
        .bind(object_id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(
            sqlx::query_as("SELECT tenant_id, object_id FROM address_bindings WHERE address = $1")
                .bind(address)
                .fetch_one(&self.pool)
                .await?,
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Database;
    use crate::store::Store;

    #[tokio::test]
    async fn the_first_claimant_keeps_a_domain_and_an_address() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&Database::Sqlite(dir.path().join("a.db")))
            .await
            .unwrap();
        assert_eq!(store.domain_owner("contoso.example").await.unwrap(), None);
        assert_eq!(
            store
                .learn_domain("contoso.example", "ta", 1)
                .await
                .unwrap(),
            "ta"
        );
        assert_eq!(
            store
                .learn_domain("contoso.example", "tb", 2)
                .await
                .unwrap(),
            "ta",
            "a later tenant does not take the domain"
        );
        let bound = store.bind_address("bob@contoso.example", "ta", "o1", 1);
        assert_eq!(bound.await.unwrap(), ("ta".into(), "o1".into()));
        let again = store.bind_address("bob@contoso.example", "ta", "o2", 2);
        assert_eq!(again.await.unwrap(), ("ta".into(), "o1".into()));
    }
}
