//! Who is calling: a signed-in user or an organization's API key, with the roles that decide
//! what it may do. Handlers state the [`Permission`] they need; services check it here.

use crate::AccountsError;
use techx_core::codes::{ApiScope, OrgRole, PlatformRole};
use techx_core::lifecycle::Tier;
use techx_core::{ApiKeyId, OrganizationId, UserId};

/// Who did something, as history and access logs record it: a user, an API key, or the system
/// (both None).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ActorRef {
    pub user_id: Option<i64>,
    pub api_key_id: Option<i64>,
    pub organization_id: Option<i64>,
}

/// [`Actor::may_identify`] for a caller who may be anonymous.
pub fn may_identify(viewer: Option<&Actor>, owner: OrganizationId, hidden: bool) -> bool {
    !hidden || viewer.is_some_and(|v| v.may_identify(owner, true))
}

/// The identity behind a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    User(UserId),
    /// The operator at the command line (`techx import`, `techx demo`): acts as an admin and
    /// is recorded as nobody.
    System,
    ApiKey {
        id: ApiKeyId,
        organization_id: OrganizationId,
        scopes: Vec<ApiScope>,
    },
}

/// A membership as the actor holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActorMembership {
    pub organization_id: OrganizationId,
    pub org_role: OrgRole,
    /// Whether the organization is verified (only verified organizations see the registered tier).
    pub verified: bool,
}

/// The caller of a request, resolved from a bearer token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub principal: Principal,
    pub platform_role: PlatformRole,
    pub memberships: Vec<ActorMembership>,
}

/// Things an actor may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Verify or reject organizations; see unverified ones (moderators and admins).
    ModerateOrganizations,
    /// Change platform roles, list users (admins).
    ManageUsers,
    /// Change an organization's profile and members (its owners, and admins).
    ManageOrganization(OrganizationId),
    /// See an organization's members (its members, and staff).
    ViewOrganizationMembers(OrganizationId),
    /// Create, list and revoke an organization's API keys (its owners, signed in as users).
    ManageApiKeys(OrganizationId),
    /// Actions that need a person rather than an API key (profile, organization creation).
    ActAsUser,
}

impl Actor {
    pub fn user_id(&self) -> Option<UserId> {
        match self.principal {
            Principal::User(id) => Some(id),
            Principal::ApiKey { .. } | Principal::System => None,
        }
    }

    /// The command-line operator.
    pub fn system() -> Actor {
        Actor {
            principal: Principal::System,
            platform_role: PlatformRole::Admin,
            memberships: Vec::new(),
        }
    }

    pub fn is_admin(&self) -> bool {
        self.platform_role == PlatformRole::Admin
    }

    /// Moderators and admins.
    pub fn is_moderator(&self) -> bool {
        matches!(
            self.platform_role,
            PlatformRole::Moderator | PlatformRole::Admin
        )
    }

    /// Brokers, moderators and admins: the exchange's staff.
    pub fn is_staff(&self) -> bool {
        self.platform_role != PlatformRole::Member
    }

    pub fn org_role(&self, organization: OrganizationId) -> Option<OrgRole> {
        self.memberships
            .iter()
            .find(|m| m.organization_id == organization)
            .map(|m| m.org_role)
    }

    /// Member of at least one verified organization.
    pub fn in_verified_organization(&self) -> bool {
        self.memberships.iter().any(|m| m.verified)
    }

    /// A member of `organization` (a user with any role, or one of its API keys).
    pub fn is_member_of(&self, organization: OrganizationId) -> bool {
        self.org_role(organization).is_some()
    }

    /// May create and change the listings and requests of `organization`: its owners and
    /// editors (API keys need the `write` scope), and admins.
    pub fn can_edit_records_of(&self, organization: OrganizationId) -> bool {
        if self.is_admin() {
            return true;
        }
        matches!(
            self.org_role(organization),
            Some(OrgRole::Owner | OrgRole::Editor)
        ) && self.has_scope(ApiScope::Write)
    }

    /// May see records of `organization` that are not published: its members and staff.
    pub fn sees_unpublished_of(&self, organization: OrganizationId) -> bool {
        self.is_staff() || self.is_member_of(organization)
    }

    /// The one rule of anonymity: whether this actor may learn that `owner` stands behind a
    /// record, when the record hides its owner (an anonymous request). Its members and the
    /// exchange's staff may; nobody else, on any road.
    pub fn may_identify(&self, owner: OrganizationId, hidden: bool) -> bool {
        !hidden || self.sees_unpublished_of(owner)
    }

    /// The disclosure tier this actor reads a record of `owner` at; `granted` is whether one of
    /// its organizations holds a live access grant for the record.
    pub fn tier_for(&self, owner: OrganizationId, granted: bool) -> Tier {
        if self.is_staff() || self.is_member_of(owner) || granted {
            Tier::Confidential
        } else if self.in_verified_organization() {
            Tier::Registered
        } else {
            Tier::Public
        }
    }

    /// Ids of the organizations the actor acts for.
    pub fn organization_ids(&self) -> Vec<i64> {
        self.memberships
            .iter()
            .map(|m| m.organization_id.0)
            .collect()
    }

    /// The actor as recorded in history and access logs.
    pub fn reference(&self) -> ActorRef {
        match &self.principal {
            Principal::User(id) => ActorRef {
                user_id: Some(id.0),
                api_key_id: None,
                organization_id: self.memberships.first().map(|m| m.organization_id.0),
            },
            Principal::System => ActorRef::default(),
            Principal::ApiKey {
                id,
                organization_id,
                ..
            } => ActorRef {
                user_id: None,
                api_key_id: Some(id.0),
                organization_id: Some(organization_id.0),
            },
        }
    }

    pub fn has_scope(&self, scope: ApiScope) -> bool {
        match &self.principal {
            Principal::User(_) | Principal::System => true,
            Principal::ApiKey { scopes, .. } => scopes.contains(&scope),
        }
    }

    pub fn can(&self, permission: Permission) -> bool {
        let is_user = matches!(self.principal, Principal::User(_) | Principal::System);
        match permission {
            Permission::ModerateOrganizations => is_user && self.is_moderator(),
            Permission::ManageUsers => is_user && self.is_admin(),
            Permission::ManageOrganization(org) => {
                is_user && (self.is_admin() || self.org_role(org) == Some(OrgRole::Owner))
            }
            Permission::ViewOrganizationMembers(org) => {
                self.is_staff() || self.org_role(org).is_some()
            }
            Permission::ManageApiKeys(org) => {
                is_user && (self.is_admin() || self.org_role(org) == Some(OrgRole::Owner))
            }
            Permission::ActAsUser => is_user,
        }
    }

    pub fn require(&self, permission: Permission) -> Result<(), AccountsError> {
        if self.can(permission) {
            Ok(())
        } else {
            Err(AccountsError::Forbidden("you are not allowed to do this"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: PlatformRole, memberships: Vec<ActorMembership>) -> Actor {
        Actor {
            principal: Principal::User(UserId(1)),
            platform_role: role,
            memberships,
        }
    }

    fn member_of(org: i64, org_role: OrgRole) -> ActorMembership {
        ActorMembership {
            organization_id: OrganizationId(org),
            org_role,
            verified: true,
        }
    }

    #[test]
    fn only_owners_and_admins_manage_an_organization() {
        let org = OrganizationId(7);
        assert!(
            user(PlatformRole::Member, vec![member_of(7, OrgRole::Owner)])
                .can(Permission::ManageOrganization(org))
        );
        assert!(
            !user(PlatformRole::Member, vec![member_of(7, OrgRole::Editor)])
                .can(Permission::ManageOrganization(org))
        );
        assert!(!user(PlatformRole::Moderator, vec![]).can(Permission::ManageOrganization(org)));
        assert!(user(PlatformRole::Admin, vec![]).can(Permission::ManageOrganization(org)));
    }

    #[test]
    fn an_api_key_cannot_mint_keys_or_moderate() {
        let key = Actor {
            principal: Principal::ApiKey {
                id: ApiKeyId(3),
                organization_id: OrganizationId(7),
                scopes: vec![ApiScope::Read, ApiScope::Write],
            },
            platform_role: PlatformRole::Member,
            memberships: vec![member_of(7, OrgRole::Editor)],
        };
        assert!(!key.can(Permission::ManageApiKeys(OrganizationId(7))));
        assert!(!key.can(Permission::ModerateOrganizations));
        assert!(key.can(Permission::ViewOrganizationMembers(OrganizationId(7))));
        assert!(key.has_scope(ApiScope::Write));
        assert!(!key.has_scope(ApiScope::Broker));
    }
}
