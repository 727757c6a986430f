"""inspections

Revision ID: 0003_inspections
Revises: 0002_enterprise_file
Create Date: 2026-11-22 02:44:28.350568

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_inspections'
down_revision = '0002_enterprise_file'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('checklist_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('industry', sa.String(length=8), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_templates'))
    )
    with op.batch_alter_table('checklist_templates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checklist_templates_industry'), ['industry'], unique=False)

    op.create_table('checklist_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=50), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('basis', sa.String(length=300), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['template_id'], ['checklist_templates.id'], name=op.f('fk_checklist_items_template_id_checklist_templates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_items'))
    )
    with op.batch_alter_table('checklist_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checklist_items_template_id'), ['template_id'], unique=False)

    op.create_table('conflicts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'approved', 'rejected', 'ended')", name=op.f('ck_conflicts_status')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_conflicts_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_conflicts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conflicts'))
    )
    with op.batch_alter_table('conflicts', schema=None) as batch_op:
        batch_op.create_index('ix_conflicts_user_id_enterprise_id', ['user_id', 'enterprise_id'], unique=False)

    op.create_table('photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('original_id', sa.Integer(), nullable=False),
    sa.Column('display_id', sa.Integer(), nullable=False),
    sa.Column('thumb_id', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('taken_at', sa.DateTime(), nullable=True),
    sa.Column('latitude', sa.Double(), nullable=True),
    sa.Column('longitude', sa.Double(), nullable=True),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['display_id'], ['media_files.id'], name=op.f('fk_photos_display_id_media_files')),
    sa.ForeignKeyConstraint(['original_id'], ['media_files.id'], name=op.f('fk_photos_original_id_media_files')),
    sa.ForeignKeyConstraint(['thumb_id'], ['media_files.id'], name=op.f('fk_photos_thumb_id_media_files')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_photos_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_photos'))
    )
    op.create_table('inspections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('inspector_id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=True),
    sa.Column('supplements_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('latitude', sa.Double(), nullable=True),
    sa.Column('longitude', sa.Double(), nullable=True),
    sa.Column('accuracy_m', sa.Double(), nullable=True),
    sa.Column('distance_m', sa.Double(), nullable=True),
    sa.Column('parts', sa.Text(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('findings', sa.Text(), nullable=False),
    sa.Column('measures', sa.Text(), nullable=False),
    sa.Column('work_id_number', sa.String(length=32), nullable=False),
    sa.Column('id_shown', sa.Boolean(), nullable=False),
    sa.Column('signer_name', sa.String(length=64), nullable=False),
    sa.Column('signer_opinion', sa.Text(), nullable=False),
    sa.Column('signature_id', sa.Integer(), nullable=True),
    sa.Column('summary_sha256', sa.String(length=64), nullable=False),
    sa.Column('signed_at', sa.DateTime(), nullable=True),
    sa.Column('refusal_reason', sa.Text(), nullable=False),
    sa.Column('refusal_photo_id', sa.Integer(), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("state IN ('draft', 'signed', 'refused')", name=op.f('ck_inspections_state')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_inspections_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['inspector_id'], ['users.id'], name=op.f('fk_inspections_inspector_id_users')),
    sa.ForeignKeyConstraint(['refusal_photo_id'], ['photos.id'], name=op.f('fk_inspections_refusal_photo_id_photos')),
    sa.ForeignKeyConstraint(['signature_id'], ['media_files.id'], name=op.f('fk_inspections_signature_id_media_files')),
    sa.ForeignKeyConstraint(['supplements_id'], ['inspections.id'], name=op.f('fk_inspections_supplements_id_inspections')),
    sa.ForeignKeyConstraint(['template_id'], ['checklist_templates.id'], name=op.f('fk_inspections_template_id_checklist_templates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspections')),
    sa.UniqueConstraint('number', name=op.f('uq_inspections_number')),
    sa.UniqueConstraint('uuid', name=op.f('uq_inspections_uuid'))
    )
    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.create_index('ix_inspections_enterprise_id_started_at', ['enterprise_id', 'started_at'], unique=False)
        batch_op.create_index('ix_inspections_inspector_id_state', ['inspector_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspections_supplements_id'), ['supplements_id'], unique=False)

    op.create_table('inspection_co_inspectors',
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_inspection_co_inspectors_inspection_id_inspections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_inspection_co_inspectors_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('inspection_id', 'user_id', name=op.f('pk_inspection_co_inspectors'))
    )
    op.create_table('inspection_item_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=50), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('result', sa.String(length=8), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.CheckConstraint("result IS NULL OR result IN ('pass', 'fail', 'na')", name=op.f('ck_inspection_item_results_result')),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_inspection_item_results_inspection_id_inspections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['checklist_items.id'], name=op.f('fk_inspection_item_results_item_id_checklist_items'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_item_results'))
    )
    with op.batch_alter_table('inspection_item_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_item_results_inspection_id'), ['inspection_id'], unique=False)

    op.create_table('hazards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=True),
    sa.Column('item_result_id', sa.Integer(), nullable=True),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('proposed_level', sa.String(length=8), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("proposed_level IN ('general', 'major')", name=op.f('ck_hazards_proposed_level')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_hazards_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_hazards_inspection_id_inspections')),
    sa.ForeignKeyConstraint(['item_result_id'], ['inspection_item_results.id'], name=op.f('fk_hazards_item_result_id_inspection_item_results')),
    sa.ForeignKeyConstraint(['reporter_id'], ['users.id'], name=op.f('fk_hazards_reporter_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hazards')),
    sa.UniqueConstraint('uuid', name=op.f('uq_hazards_uuid'))
    )
    with op.batch_alter_table('hazards', schema=None) as batch_op:
        batch_op.create_index('ix_hazards_enterprise_id_status', ['enterprise_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_hazards_inspection_id'), ['inspection_id'], unique=False)

    op.create_table('inspection_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('photo_id', sa.Integer(), nullable=False),
    sa.Column('item_result_id', sa.Integer(), nullable=True),
    sa.Column('caption', sa.String(length=200), nullable=False),
    sa.Column('flag_time', sa.Boolean(), nullable=False),
    sa.Column('flag_place', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_inspection_photos_inspection_id_inspections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_result_id'], ['inspection_item_results.id'], name=op.f('fk_inspection_photos_item_result_id_inspection_item_results'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['photo_id'], ['photos.id'], name=op.f('fk_inspection_photos_photo_id_photos')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_photos'))
    )
    with op.batch_alter_table('inspection_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_photos_inspection_id'), ['inspection_id'], unique=False)

    op.create_table('hazard_photos',
    sa.Column('hazard_id', sa.Integer(), nullable=False),
    sa.Column('photo_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['hazard_id'], ['hazards.id'], name=op.f('fk_hazard_photos_hazard_id_hazards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['photo_id'], ['photos.id'], name=op.f('fk_hazard_photos_photo_id_photos')),
    sa.PrimaryKeyConstraint('hazard_id', 'photo_id', name=op.f('pk_hazard_photos'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('work_id', sa.String(length=32), nullable=True))




def downgrade():

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('work_id')

    op.drop_table('hazard_photos')
    with op.batch_alter_table('inspection_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_photos_inspection_id'))

    op.drop_table('inspection_photos')
    with op.batch_alter_table('hazards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hazards_inspection_id'))
        batch_op.drop_index('ix_hazards_enterprise_id_status')

    op.drop_table('hazards')
    with op.batch_alter_table('inspection_item_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_item_results_inspection_id'))

    op.drop_table('inspection_item_results')
    op.drop_table('inspection_co_inspectors')
    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspections_supplements_id'))
        batch_op.drop_index('ix_inspections_inspector_id_state')
        batch_op.drop_index('ix_inspections_enterprise_id_started_at')

    op.drop_table('inspections')
    op.drop_table('photos')
    with op.batch_alter_table('conflicts', schema=None) as batch_op:
        batch_op.drop_index('ix_conflicts_user_id_enterprise_id')

    op.drop_table('conflicts')
    with op.batch_alter_table('checklist_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checklist_items_template_id'))

    op.drop_table('checklist_items')
    with op.batch_alter_table('checklist_templates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checklist_templates_industry'))

    op.drop_table('checklist_templates')

