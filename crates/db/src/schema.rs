//! Table definitions, in portable column types only (see ARCHITECTURE.md).

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        full_name -> Text,
        password_hash -> Text,
        platform_role -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    organizations (id) {
        id -> BigInt,
        name -> Text,
        org_type -> Text,
        tax_code -> Nullable<Text>,
        province_code -> Text,
        address -> Nullable<Text>,
        website -> Nullable<Text>,
        verification -> Text,
        verification_note -> Nullable<Text>,
        verified_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    memberships (user_id, organization_id) {
        user_id -> BigInt,
        organization_id -> BigInt,
        org_role -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        family_id -> Text,
        token_hash -> Text,
        expires_at -> Timestamp,
        created_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    api_keys (id) {
        id -> BigInt,
        organization_id -> BigInt,
        name -> Text,
        prefix -> Text,
        key_hash -> Text,
        created_by -> BigInt,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    api_key_scopes (api_key_id, scope) {
        api_key_id -> BigInt,
        scope -> Text,
    }
}

diesel::table! {
    change_log (seq) {
        seq -> BigInt,
        entity -> Text,
        entity_id -> BigInt,
        op -> Text,
        actor_user_id -> Nullable<BigInt>,
        changed_at -> Timestamp,
    }
}

diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(memberships -> organizations (organization_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(api_keys -> organizations (organization_id));
diesel::joinable!(api_key_scopes -> api_keys (api_key_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    organizations,
    memberships,
    refresh_tokens,
    api_keys,
    api_key_scopes,
    change_log,
);
