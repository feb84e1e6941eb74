//! Table definitions, in portable column types only (both backends run the same schema).

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

diesel::table! {
    listings (id) {
        id -> BigInt,
        organization_id -> BigInt,
        kind -> Text,
        lang -> Text,
        title -> Text,
        summary -> Text,
        details -> Nullable<Text>,
        confidential_details -> Nullable<Text>,
        title_en -> Nullable<Text>,
        summary_en -> Nullable<Text>,
        trl -> Nullable<Integer>,
        pricing_model -> Text,
        price_min_vnd -> Nullable<BigInt>,
        price_max_vnd -> Nullable<BigInt>,
        funding_origin -> Nullable<Text>,
        research_task_code -> Nullable<Text>,
        tech_category -> Text,
        province_code -> Text,
        contact_name -> Nullable<Text>,
        contact_email -> Nullable<Text>,
        contact_phone -> Nullable<Text>,
        status -> Text,
        valid_until -> Nullable<Timestamp>,
        last_confirmed_at -> Nullable<Timestamp>,
        published_at -> Nullable<Timestamp>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        import_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    listing_codes (listing_id, list, code) {
        listing_id -> BigInt,
        list -> Text,
        code -> Text,
    }
}

diesel::table! {
    listing_keywords (listing_id, position) {
        listing_id -> BigInt,
        position -> Integer,
        keyword -> Text,
    }
}

diesel::table! {
    listing_ip_assets (listing_id, position) {
        listing_id -> BigInt,
        position -> Integer,
        ip_type -> Text,
        legal_status -> Text,
        number -> Nullable<Text>,
        jurisdiction -> Nullable<Text>,
        expires_on -> Nullable<Text>,
    }
}

diesel::table! {
    requests (id) {
        id -> BigInt,
        organization_id -> BigInt,
        kind -> Text,
        lang -> Text,
        title -> Text,
        problem -> Text,
        requirements -> Nullable<Text>,
        confidential_details -> Nullable<Text>,
        trl_min -> Nullable<Integer>,
        budget_min_vnd -> Nullable<BigInt>,
        budget_max_vnd -> Nullable<BigInt>,
        deadline -> Nullable<Text>,
        ip_expectation -> Text,
        anonymous -> Bool,
        origin -> Text,
        province_code -> Text,
        contact_name -> Nullable<Text>,
        contact_email -> Nullable<Text>,
        contact_phone -> Nullable<Text>,
        status -> Text,
        valid_until -> Nullable<Timestamp>,
        last_confirmed_at -> Nullable<Timestamp>,
        published_at -> Nullable<Timestamp>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        import_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    request_codes (request_id, list, code) {
        request_id -> BigInt,
        list -> Text,
        code -> Text,
    }
}

diesel::table! {
    request_keywords (request_id, position) {
        request_id -> BigInt,
        position -> Integer,
        keyword -> Text,
    }
}

diesel::table! {
    record_history (id) {
        id -> BigInt,
        entity -> Text,
        entity_id -> BigInt,
        action -> Text,
        from_status -> Nullable<Text>,
        to_status -> Nullable<Text>,
        changes -> Text,
        note -> Nullable<Text>,
        actor_user_id -> Nullable<BigInt>,
        actor_api_key_id -> Nullable<BigInt>,
        at -> Timestamp,
    }
}

diesel::table! {
    confidential_reads (id) {
        id -> BigInt,
        entity -> Text,
        entity_id -> BigInt,
        reader_user_id -> Nullable<BigInt>,
        reader_api_key_id -> Nullable<BigInt>,
        reader_organization_id -> Nullable<BigInt>,
        road -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    access_grants (id) {
        id -> BigInt,
        entity -> Text,
        entity_id -> BigInt,
        organization_id -> BigInt,
        granted_by -> Nullable<BigInt>,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (id) {
        id -> BigInt,
        principal -> Text,
        idempotency_key -> Text,
        request_hash -> Text,
        status_code -> Nullable<Integer>,
        response_body -> Nullable<Text>,
        location -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    matches (id) {
        id -> BigInt,
        listing_id -> BigInt,
        request_id -> BigInt,
        source -> Text,
        score -> Double,
        explanation -> Text,
        status -> Text,
        note -> Nullable<Text>,
        listing_answer -> Nullable<Text>,
        listing_reason -> Nullable<Text>,
        listing_note -> Nullable<Text>,
        listing_answered_at -> Nullable<Timestamp>,
        request_answer -> Nullable<Text>,
        request_reason -> Nullable<Text>,
        request_note -> Nullable<Text>,
        request_answered_at -> Nullable<Timestamp>,
        created_by -> Nullable<BigInt>,
        introduced_by -> Nullable<BigInt>,
        introduced_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    inquiries (id) {
        id -> BigInt,
        entity -> Text,
        entity_id -> BigInt,
        organization_id -> BigInt,
        author_id -> BigInt,
        cooperation_sought -> Text,
        missing -> Nullable<Text>,
        about_us -> Nullable<Text>,
        message -> Text,
        routed_to -> Text,
        status -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    inquiry_messages (id) {
        id -> BigInt,
        inquiry_id -> BigInt,
        author_id -> BigInt,
        side -> Text,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    access_requests (id) {
        id -> BigInt,
        entity -> Text,
        entity_id -> BigInt,
        organization_id -> BigInt,
        requested_by -> BigInt,
        message -> Text,
        routed_to -> Text,
        status -> Text,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<Timestamp>,
        decision_note -> Nullable<Text>,
        grant_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    engagements (id) {
        id -> BigInt,
        listing_id -> Nullable<BigInt>,
        request_id -> Nullable<BigInt>,
        organization_id -> Nullable<BigInt>,
        origin -> Text,
        match_id -> Nullable<BigInt>,
        inquiry_id -> Nullable<BigInt>,
        event_name -> Nullable<Text>,
        stage -> Text,
        held_stage -> Nullable<Text>,
        lost_reason -> Nullable<Text>,
        assignee_id -> Nullable<BigInt>,
        next_action -> Nullable<Text>,
        next_action_on -> Nullable<Date>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    engagement_events (id) {
        id -> BigInt,
        engagement_id -> BigInt,
        kind -> Text,
        from_stage -> Nullable<Text>,
        to_stage -> Nullable<Text>,
        body -> Nullable<Text>,
        actor_id -> Nullable<BigInt>,
        at -> Timestamp,
    }
}

diesel::table! {
    contracts (id) {
        id -> BigInt,
        engagement_id -> BigInt,
        listing_id -> Nullable<BigInt>,
        request_id -> Nullable<BigInt>,
        kind -> Text,
        value_vnd -> Nullable<BigInt>,
        signed_on -> Date,
        transfer_form -> Nullable<Text>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    outcomes (id) {
        id -> BigInt,
        kind -> Text,
        title -> Text,
        engagement_id -> Nullable<BigInt>,
        listing_id -> Nullable<BigInt>,
        organization_id -> Nullable<BigInt>,
        company_name -> Nullable<Text>,
        parent_organization_id -> Nullable<BigInt>,
        ip_contributed -> Nullable<Text>,
        support_kind -> Nullable<Text>,
        channel -> Nullable<Text>,
        value_vnd -> Nullable<BigInt>,
        occurred_on -> Date,
        note -> Nullable<Text>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    alert_subscriptions (id) {
        id -> BigInt,
        user_id -> BigInt,
        kind -> Text,
        query -> Nullable<Text>,
        sci_fields -> Text,
        request_id -> Nullable<BigInt>,
        threshold -> Double,
        checked_until -> Timestamp,
        created_at -> Timestamp,
    }
}

diesel::table! {
    alerts (id) {
        id -> BigInt,
        subscription_id -> BigInt,
        user_id -> BigInt,
        listing_id -> BigInt,
        score -> Double,
        explanation -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(listings -> organizations (organization_id));
diesel::joinable!(inquiry_messages -> inquiries (inquiry_id));
diesel::joinable!(listing_codes -> listings (listing_id));
diesel::joinable!(listing_keywords -> listings (listing_id));
diesel::joinable!(listing_ip_assets -> listings (listing_id));
diesel::joinable!(requests -> organizations (organization_id));
diesel::joinable!(request_codes -> requests (request_id));
diesel::joinable!(request_keywords -> requests (request_id));

diesel::allow_tables_to_appear_in_same_query!(
    listings,
    listing_codes,
    listing_keywords,
    listing_ip_assets,
    requests,
    request_codes,
    request_keywords,
    organizations,
    record_history,
    confidential_reads,
    access_grants,
    idempotency_keys,
    matches,
    inquiries,
    inquiry_messages,
    access_requests,
    engagements,
    engagement_events,
    contracts,
    outcomes,
    alert_subscriptions,
    alerts,
    imports,
    record_vectors,
);

diesel::table! {
    imports (id) {
        id -> BigInt,
        entity -> Text,
        organization_id -> BigInt,
        rows_expected -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    record_vectors (entity, entity_id, model) {
        entity -> Text,
        entity_id -> BigInt,
        model -> Text,
        text_sha256 -> Text,
        lang -> Nullable<Text>,
        dim -> Integer,
        vector -> Binary,
        created_at -> Timestamp,
    }
}
