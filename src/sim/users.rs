//! The in-memory user store behind `/api/v2/users*`: seeded, paged, created, patched, deleted.
//! Users are JSON objects shaped like Auth0's, ordered by `user_id` so paging is stable.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value, json};

const CONNECTION: &str = "Username-Password-Authentication";

/// Why a user operation failed; routes map these to Auth0 bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserError {
    Invalid(String),
    Conflict,
    NotFound,
}

#[derive(Debug, Default)]
pub struct Users {
    by_id: BTreeMap<String, Value>,
    by_email: HashMap<String, String>,
    next: u64,
}

/// The seeded users' `(user_id, email, name)`, in seeding order: the store gives the i-th user
/// created the id `auth0|{i as 24 hex digits}` (from 1), so a tenant seeded with `count` users
/// holds exactly these. `quotaprobe serve --export-users` writes them for data files.
pub fn seeded_rows(count: u32) -> impl Iterator<Item = [String; 3]> {
    (0..count).map(|i| {
        [
            format!("auth0|{:024x}", u64::from(i) + 1),
            format!("user{i}@example.com"),
            format!("User {i}"),
        ]
    })
}

impl Users {
    /// `count` users `user{i}@example.com`, ids `auth0|{24 hex}`, created at `created_at`.
    pub fn seeded(count: u32, created_at: &str) -> Self {
        let mut users = Users::default();
        for [_, email, name] in seeded_rows(count) {
            let mut body = Map::new();
            body.insert("email".into(), json!(email));
            body.insert("name".into(), json!(name));
            body.insert("connection".into(), json!(CONNECTION));
            // Seed data is generated here and always valid.
            let _ = users.create(&Value::Object(body), created_at);
        }
        users
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Page `page` (0-based) of `per_page` users.
    pub fn page(&self, page: usize, per_page: usize) -> Vec<Value> {
        self.by_id
            .values()
            .skip(page.saturating_mul(per_page))
            .take(per_page)
            .cloned()
            .collect()
    }

    pub fn get(&self, id: &str) -> Option<Value> {
        self.by_id.get(id).cloned()
    }

    pub fn by_email(&self, email: &str) -> Vec<Value> {
        let key = email.to_ascii_lowercase();
        self.by_email
            .get(&key)
            .and_then(|id| self.by_id.get(id))
            .cloned()
            .into_iter()
            .collect()
    }

    /// `POST /api/v2/users`: needs `connection` and `email`; emails are unique.
    pub fn create(&mut self, body: &Value, now: &str) -> Result<Value, UserError> {
        let obj = body.as_object().ok_or_else(|| {
            UserError::Invalid("Payload validation error: 'Expected type object'.".into())
        })?;
        let connection = str_field(obj, "connection")?.ok_or_else(|| {
            UserError::Invalid(
                "Payload validation error: 'Missing required property: connection'.".into(),
            )
        })?;
        let email = str_field(obj, "email")?.ok_or_else(|| {
            UserError::Invalid(
                "Payload validation error: 'Missing required property: email'.".into(),
            )
        })?;
        let key = email.to_ascii_lowercase();
        if self.by_email.contains_key(&key) {
            return Err(UserError::Conflict);
        }
        self.next += 1;
        let local = format!("{:024x}", self.next);
        let user_id = format!("auth0|{local}");
        let name = str_field(obj, "name")?.unwrap_or(email);
        let nickname = email.split('@').next().unwrap_or(email);
        let user = json!({
            "user_id": user_id, "email": email, "email_verified": false, "name": name,
            "nickname": nickname, "created_at": now, "updated_at": now, "logins_count": 0,
            "identities": [{"connection": connection, "provider": "auth0", "user_id": local, "isSocial": false}],
            "user_metadata": obj.get("user_metadata").cloned().unwrap_or(json!({})),
            "app_metadata": obj.get("app_metadata").cloned().unwrap_or(json!({})),
            "blocked": obj.get("blocked").and_then(Value::as_bool).unwrap_or(false),
        });
        self.by_email.insert(key, user_id.clone());
        self.by_id.insert(user_id, user.clone());
        Ok(user)
    }

    /// `PATCH /api/v2/users/{id}`: top-level fields replace, metadata objects merge.
    pub fn patch(&mut self, id: &str, body: &Value, now: &str) -> Result<Value, UserError> {
        let patch = body.as_object().ok_or_else(|| {
            UserError::Invalid("Payload validation error: 'Expected type object'.".into())
        })?;
        let new_email = str_field(patch, "email")?.map(str::to_ascii_lowercase);
        if let Some(e) = &new_email
            && self.by_email.get(e).is_some_and(|owner| owner != id)
        {
            return Err(UserError::Conflict);
        }
        let user = self.by_id.get_mut(id).ok_or(UserError::NotFound)?;
        let old_email = user
            .get("email")
            .and_then(Value::as_str)
            .map(str::to_ascii_lowercase);
        for (k, v) in patch {
            match (k.as_str(), user.get_mut(k)) {
                ("user_id" | "identities" | "created_at", _) => {}
                ("user_metadata" | "app_metadata", Some(Value::Object(existing))) => {
                    if let Value::Object(add) = v {
                        for (mk, mv) in add {
                            if mv.is_null() {
                                existing.remove(mk);
                            } else {
                                existing.insert(mk.clone(), mv.clone());
                            }
                        }
                    }
                }
                _ => {
                    if let Value::Object(u) = user {
                        u.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        if let Value::Object(u) = user {
            u.insert("updated_at".into(), json!(now));
        }
        let out = user.clone();
        if let (Some(new), Some(old)) = (new_email, old_email) {
            self.by_email.remove(&old);
            self.by_email.insert(new, id.to_string());
        }
        Ok(out)
    }

    pub fn delete(&mut self, id: &str) -> bool {
        match self.by_id.remove(id) {
            Some(user) => {
                if let Some(e) = user.get("email").and_then(Value::as_str) {
                    self.by_email.remove(&e.to_ascii_lowercase());
                }
                true
            }
            None => false,
        }
    }
}

fn str_field<'a>(obj: &'a Map<String, Value>, key: &str) -> Result<Option<&'a str>, UserError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if !s.is_empty() => Ok(Some(s)),
        Some(_) => Err(UserError::Invalid(format!(
            "Payload validation error: 'Expected type string' on property {key}."
        ))),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn seeded_rows_are_the_seeded_store() {
        let users = Users::seeded(300, "t0");
        let rows: Vec<[String; 3]> = seeded_rows(300).collect();
        let mut ids: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
        ids.sort_unstable();
        let stored: Vec<String> = users
            .page(0, 1000)
            .iter()
            .map(|u| u["user_id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(stored, ids);
        for [id, email, name] in &rows {
            let u = users.get(id).unwrap();
            assert_eq!(
                (u["email"].as_str(), u["name"].as_str()),
                (Some(email.as_str()), Some(name.as_str()))
            );
        }
    }

    #[test]
    fn seed_page_create_patch_delete() {
        let mut users = Users::seeded(5, "t0");
        assert_eq!(users.len(), 5);
        assert_eq!(users.page(1, 2).len(), 2);
        assert_eq!(users.page(2, 2).len(), 1);
        let body = json!({"email": "New@example.com", "connection": CONNECTION});
        let created = users.create(&body, "t1").unwrap();
        let id = created["user_id"].as_str().unwrap().to_string();
        assert_eq!(users.create(&body, "t1"), Err(UserError::Conflict));
        assert_eq!(users.by_email("new@EXAMPLE.com").len(), 1);
        let patched = users
            .patch(&id, &json!({"name": "N", "user_metadata": {"a": 1}}), "t2")
            .unwrap();
        assert_eq!(
            (patched["name"].as_str(), patched["updated_at"].as_str()),
            (Some("N"), Some("t2"))
        );
        assert_eq!(patched["user_metadata"]["a"], 1);
        assert!(users.delete(&id));
        assert!(!users.delete(&id));
        assert!(users.by_email("new@example.com").is_empty());
        let missing = users.create(&json!({"email": "x@y"}), "t");
        assert!(matches!(missing, Err(UserError::Invalid(m)) if m.contains("connection")));
    }
}
