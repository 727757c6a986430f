"""Special campaigns and their targets

Revision ID: 0011_campaigns
Revises: 0010_leave
Create Date: 2026-11-22

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_campaigns'
down_revision = '0010_leave'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('criteria', sa.String(length=500), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_campaigns_dates')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_campaigns_created_by_id_users')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_campaigns_org_unit_id_org_units')),
    sa.ForeignKeyConstraint(['template_id'], ['checklist_templates.id'], name=op.f('fk_campaigns_template_id_checklist_templates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns'))
    )
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaigns_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index('ix_campaigns_starts_on_ends_on', ['starts_on', 'ends_on'], unique=False)

    op.create_table('campaign_targets',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_targets_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_campaign_targets_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id', 'enterprise_id', name=op.f('pk_campaign_targets'))
    )
    with op.batch_alter_table('campaign_targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_targets_enterprise_id'), ['enterprise_id'], unique=False)



def downgrade():
    with op.batch_alter_table('campaign_targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_targets_enterprise_id'))

    op.drop_table('campaign_targets')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_index('ix_campaigns_starts_on_ends_on')
        batch_op.drop_index(batch_op.f('ix_campaigns_org_unit_id'))

    op.drop_table('campaigns')
