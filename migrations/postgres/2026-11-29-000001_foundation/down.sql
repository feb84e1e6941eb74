DROP TABLE change_log;
DROP TABLE api_key_scopes;
DROP TABLE api_keys;
DROP TABLE refresh_tokens;
DROP TABLE memberships;
DROP TABLE organizations;
DROP TABLE users;
