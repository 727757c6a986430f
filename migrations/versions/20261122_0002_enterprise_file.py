"""enterprise file

Revision ID: 0002_enterprise_file
Revises: 0001_foundation
Create Date: 2026-11-22 02:11:11.640680

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002_enterprise_file'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('import_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('total_rows', sa.Integer(), nullable=False),
    sa.Column('valid_rows', sa.Integer(), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('committed_count', sa.Integer(), nullable=False),
    sa.CheckConstraint("state IN ('preview', 'committed', 'discarded')", name=op.f('ck_import_batches_state')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_import_batches_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batches')),
    sa.UniqueConstraint('token', name=op.f('uq_import_batches_token'))
    )
    op.create_table('media_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('original_name', sa.String(length=200), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_media_files_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_media_files')),
    sa.UniqueConstraint('sha256', name=op.f('uq_media_files_sha256'))
    )
    op.create_table('enterprise_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('photo_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_enterprise_changes_actor_id_users')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_enterprise_changes_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['photo_id'], ['media_files.id'], name=op.f('fk_enterprise_changes_photo_id_media_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprise_changes'))
    )
    with op.batch_alter_table('enterprise_changes', schema=None) as batch_op:
        batch_op.create_index('ix_enterprise_changes_enterprise_id_at', ['enterprise_id', 'at'], unique=False)

    op.create_table('risk_points',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('hazard_type', sa.String(length=24), nullable=False),
    sa.Column('risk_level', sa.String(length=8), nullable=False),
    sa.Column('control_measures', sa.Text(), nullable=False),
    sa.Column('responsible_person', sa.String(length=64), nullable=False),
    sa.Column('check_every_days', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("hazard_type IN ('struck', 'vehicle', 'machinery', 'lifting', 'electric', 'drowning', 'burn', 'fire', 'fall', 'collapse', 'roof_fall', 'flooding', 'blasting', 'explosive', 'gas_explosion', 'boiler_explosion', 'vessel_explosion', 'other_explosion', 'poisoning', 'other')", name=op.f('ck_risk_points_hazard_type')),
    sa.CheckConstraint("risk_level IN ('red', 'orange', 'yellow', 'blue')", name=op.f('ck_risk_points_risk_level')),
    sa.CheckConstraint('check_every_days BETWEEN 1 AND 366', name=op.f('ck_risk_points_check_every_days')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_risk_points_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_points'))
    )
    with op.batch_alter_table('risk_points', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_points_enterprise_id'), ['enterprise_id'], unique=False)

    op.create_table('self_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('checked_on', sa.Date(), nullable=False),
    sa.Column('checked_by', sa.String(length=64), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_self_checks_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_self_checks_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_self_checks'))
    )
    with op.batch_alter_table('self_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_self_checks_enterprise_id'), ['enterprise_id'], unique=False)

    op.create_table('self_check_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('self_check_id', sa.Integer(), nullable=False),
    sa.Column('risk_point_id', sa.Integer(), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('problem', sa.Text(), nullable=False),
    sa.Column('fixed', sa.Boolean(), nullable=False),
    sa.Column('fixed_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['risk_point_id'], ['risk_points.id'], name=op.f('fk_self_check_items_risk_point_id_risk_points'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['self_check_id'], ['self_checks.id'], name=op.f('fk_self_check_items_self_check_id_self_checks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_self_check_items'))
    )
    with op.batch_alter_table('self_check_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_self_check_items_risk_point_id'), ['risk_point_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_self_check_items_self_check_id'), ['self_check_id'], unique=False)

    op.create_table('patrol_findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('inspector_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('gap_kind', sa.String(length=24), nullable=False),
    sa.Column('risk_point_id', sa.Integer(), nullable=True),
    sa.Column('self_check_item_id', sa.Integer(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.CheckConstraint("status IN ('open', 'reported', 'dismissed')", name=op.f('ck_patrol_findings_status')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_patrol_findings_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['inspector_id'], ['users.id'], name=op.f('fk_patrol_findings_inspector_id_users')),
    sa.ForeignKeyConstraint(['risk_point_id'], ['risk_points.id'], name=op.f('fk_patrol_findings_risk_point_id_risk_points')),
    sa.ForeignKeyConstraint(['self_check_item_id'], ['self_check_items.id'], name=op.f('fk_patrol_findings_self_check_item_id_self_check_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patrol_findings'))
    )
    with op.batch_alter_table('patrol_findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patrol_findings_enterprise_id'), ['enterprise_id'], unique=False)

    # The full enterprise record. New text columns get '' for existing rows; the
    # old single address becomes the operating address.
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.alter_column('address', new_column_name='operating_address',
                              existing_type=sa.String(length=300), existing_nullable=False)
        batch_op.add_column(sa.Column('district_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('pending_review', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('registered_address', sa.String(length=300), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('latitude', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('longitude', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('industry', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('scale', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('risk_grade', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('legal_representative', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('safety_manager_name', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('safety_manager_mobile', sa.String(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('employee_count', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('notes', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(), nullable=True))

    # Each file belongs to the district at the root of its grid's org path ("/<district>/…").
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT e.id, o.path, e.created_at FROM enterprises e "
        "JOIN grids g ON g.id = e.grid_id JOIN org_units o ON o.id = g.org_unit_id")).all()
    for enterprise_id, path, created_at in rows:
        conn.execute(sa.text("UPDATE enterprises SET district_id = :d, updated_at = :u WHERE id = :i"),
                     {"d": int(path.strip("/").split("/")[0]), "u": created_at, "i": enterprise_id})

    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.alter_column('district_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('updated_at', existing_type=sa.DateTime(), nullable=False)
        batch_op.drop_constraint('uq_enterprises_uscc', type_='unique')
        batch_op.create_unique_constraint('uq_enterprises_district_id_uscc', ['district_id', 'uscc'])
        batch_op.create_foreign_key(batch_op.f('fk_enterprises_district_id_org_units'), 'org_units', ['district_id'], ['id'])
        batch_op.create_check_constraint(
            'risk_grade', "risk_grade IS NULL OR risk_grade IN ('red', 'orange', 'yellow', 'blue')")
        batch_op.create_check_constraint(
            'scale', "scale IS NULL OR scale IN ('large', 'medium', 'small', 'micro')")
        batch_op.create_check_constraint('employee_count', "employee_count IS NULL OR employee_count >= 0")
        batch_op.create_check_constraint('latitude', "latitude IS NULL OR (latitude BETWEEN -90 AND 90)")
        batch_op.create_check_constraint('longitude', "longitude IS NULL OR (longitude BETWEEN -180 AND 180)")
        batch_op.create_index('ix_enterprises_grid_id_status', ['grid_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprises_industry'), ['industry'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprises_pending_review'), ['pending_review'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprises_risk_grade'), ['risk_grade'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprises_uscc'), ['uscc'], unique=False)
        # Covers a grid's list and its search by name or code (no table lookups).
        batch_op.drop_index('ix_enterprises_grid_id_name')
        batch_op.create_index('ix_enterprises_grid_id_name_uscc', ['grid_id', 'name', 'uscc'], unique=False)



def downgrade():
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        for name in ('risk_grade', 'scale', 'employee_count', 'latitude', 'longitude'):
            batch_op.drop_constraint(batch_op.f(f'ck_enterprises_{name}'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_enterprises_district_id_org_units'), type_='foreignkey')
        batch_op.drop_constraint('uq_enterprises_district_id_uscc', type_='unique')
        batch_op.drop_index(batch_op.f('ix_enterprises_uscc'))
        batch_op.drop_index(batch_op.f('ix_enterprises_risk_grade'))
        batch_op.drop_index(batch_op.f('ix_enterprises_pending_review'))
        batch_op.drop_index(batch_op.f('ix_enterprises_industry'))
        batch_op.drop_index('ix_enterprises_grid_id_status')
        batch_op.drop_index('ix_enterprises_grid_id_name_uscc')
        batch_op.create_index('ix_enterprises_grid_id_name', ['grid_id', 'name'], unique=False)
        batch_op.create_unique_constraint('uq_enterprises_uscc', ['uscc'])
        for column in ('updated_at', 'notes', 'employee_count', 'safety_manager_mobile', 'safety_manager_name',
                       'legal_representative', 'risk_grade', 'scale', 'industry', 'longitude', 'latitude',
                       'registered_address', 'pending_review', 'district_id'):
            batch_op.drop_column(column)
        batch_op.alter_column('operating_address', new_column_name='address',
                              existing_type=sa.String(length=300), existing_nullable=False)

    with op.batch_alter_table('patrol_findings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patrol_findings_enterprise_id'))

    op.drop_table('patrol_findings')
    with op.batch_alter_table('self_check_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_self_check_items_self_check_id'))
        batch_op.drop_index(batch_op.f('ix_self_check_items_risk_point_id'))

    op.drop_table('self_check_items')
    with op.batch_alter_table('self_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_self_checks_enterprise_id'))

    op.drop_table('self_checks')
    with op.batch_alter_table('risk_points', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_points_enterprise_id'))

    op.drop_table('risk_points')
    with op.batch_alter_table('enterprise_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_enterprise_changes_enterprise_id_at')

    op.drop_table('enterprise_changes')
    op.drop_table('media_files')
    op.drop_table('import_batches')
