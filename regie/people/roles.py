"""Roles and what each may do: an operator runs the desk (cards, loans, top-ups, terminals), a
manager also closes, refunds, writes off, settles and changes the office's settings, an admin
also manages people, the Stripe key and restores backups."""

from __future__ import annotations

import enum

from regie.errors import UserError
from regie.i18n import N_, _


class Role(enum.StrEnum):
    OPERATOR = "operator"
    MANAGER = "manager"
    ADMIN = "admin"


class Permission(enum.StrEnum):
    CLOSE_Z = "close_z"
    REFUND = "refund"
    WRITE_OFF = "write_off"
    CHANGE_CONVENTION = "change_convention"
    VIEW_AUDIT = "view_audit"
    MANAGE_PEOPLE = "manage_people"
    CORRECT_BALANCE = "correct_balance"
    MELT = "melt"
    OPERATE = "operate"
    OWN_PIN = "own_pin"
    CHANGE_SETTINGS = "change_settings"
    SETTLE = "settle"
    USE_STRIPE = "use_stripe"
    MANAGE_SECRETS = "manage_secrets"
    RESTORE = "restore"
    DEMO = "demo"
    IMPORT_UNSIGNED = "import_unsigned"


ROLE_LABELS = {
    Role.OPERATOR: N_("opérateur"),
    Role.MANAGER: N_("responsable"),
    Role.ADMIN: N_("administrateur"),
}
# What the refused person was trying to do, to complete « … ne peut pas {action} ».
PERMISSION_LABELS = {
    Permission.CLOSE_Z: N_("clôturer un Z"),
    Permission.REFUND: N_("rembourser"),
    Permission.WRITE_OFF: N_("sortir du matériel de l'inventaire"),
    Permission.CHANGE_CONVENTION: N_("modifier la convention"),
    Permission.VIEW_AUDIT: N_("consulter le journal d'audit"),
    Permission.MANAGE_PEOPLE: N_("gérer les utilisateurs"),
    Permission.CORRECT_BALANCE: N_("corriger le solde d'une carte"),
    Permission.MELT: N_("faire fondre les soldes dormants"),
    Permission.OPERATE: N_("changer les données du bureau"),
    Permission.OWN_PIN: N_("changer son propre code PIN"),
    Permission.CHANGE_SETTINGS: N_("changer les réglages du bureau"),
    Permission.SETTLE: N_("arrêter un règlement ou facturer"),
    Permission.USE_STRIPE: N_("utiliser la clé Stripe"),
    Permission.MANAGE_SECRETS: N_("changer la clé Stripe"),
    Permission.RESTORE: N_("restaurer une sauvegarde"),
    Permission.DEMO: N_("remplir la base avec le festival de démonstration"),
    Permission.IMPORT_UNSIGNED: N_("importer un journal que nul terminal n'a signé"),
}
ROLE_VALUES = frozenset(role.value for role in Role)
_OPERATOR = frozenset({Permission.OPERATE, Permission.OWN_PIN})
_ADMIN_ONLY = {
    Permission.MANAGE_PEOPLE,
    Permission.MANAGE_SECRETS,
    Permission.RESTORE,
    Permission.DEMO,
}
_MANAGER = frozenset(Permission) - _ADMIN_ONLY
PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OPERATOR: _OPERATOR,
    Role.MANAGER: _MANAGER,
    Role.ADMIN: frozenset(Permission),
}


def parse_role(text: str) -> Role:
    """``operator``/``manager``/``admin`` or their French names."""
    cleaned = text.strip().casefold()
    for role in Role:
        if cleaned in (role.value, _(ROLE_LABELS[role]).casefold(), ROLE_LABELS[role]):
            return role
    known = ", ".join(role.value for role in Role)
    raise UserError(_("rôle inconnu « {role} » (rôles : {known})").format(role=text, known=known))


def role_label(role: str) -> str:
    return _(ROLE_LABELS[Role(role)]) if role in ROLE_VALUES else role


def allows(role: str, permission: Permission) -> bool:
    return role in ROLE_VALUES and permission in PERMISSIONS[Role(role)]


def roles_allowed(permission: Permission) -> list[Role]:
    return [role for role in Role if permission in PERMISSIONS[role]]
